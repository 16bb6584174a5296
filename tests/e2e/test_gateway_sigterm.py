"""A gateway replica given SIGTERM drains: it takes no new connection at once, the stream it
is serving runs on to its end (within uvicorn's 5 s graceful bound), and it exits.

A stream longer than the bound is closed instead and resumes on another replica with
Last-Event-ID (docs/scaling.md); resume itself is tests/e2e/test_stream_control.py's.
"""

from __future__ import annotations

import signal
import time

import httpx
import pytest

from tests.e2e.chaos.helpers import assert_clean_ending, chat_body
from tests.support.sse import SseFrame, parse_sse
from tests.support.stack import Stack

LONG_QUESTION = "Why is the sky blue?"  # the long "can't answer" text: many tokens


def _full_text(gateway: str) -> str:
    frames = _read(gateway, chat_body(LONG_QUESTION, "drain-reference"))
    return "".join(f.json["delta"] for f in frames if f.type == "text-delta")


def _read(gateway: str, body: dict[str, object]) -> list[SseFrame]:
    with httpx.stream("POST", gateway + "/api/v1/chat", json=body, timeout=30) as r:
        assert r.status_code == 200, r.read()
        return list(parse_sse(r.iter_lines()))


def test_sigterm_lets_the_open_stream_finish_and_refuses_new_ones(
    stack: Stack, gateway: str
) -> None:
    expected = _full_text(gateway)
    draining_url = stack.start_gateway("gateway-drain")
    draining = stack.procs[-1]
    frames: list[SseFrame] = []
    try:
        body = chat_body(LONG_QUESTION, "drain-open")
        with httpx.stream("POST", draining_url + "/api/v1/chat", json=body, timeout=30) as r:
            assert r.status_code == 200
            for frame in parse_sse(r.iter_lines()):
                frames.append(frame)
                if sum(f.type == "text-delta" for f in frames) == 2:
                    draining.popen.send_signal(signal.SIGTERM)
                    stopped_at = time.monotonic()
                    with pytest.raises(httpx.ConnectError):  # the listener is closed
                        _wait_refused(draining_url)
        code = draining.popen.wait(15)
        stop_s = time.monotonic() - stopped_at
    finally:
        stack.stop(draining)
    assert_clean_ending(frames)  # the open stream ran to its end: one finish, no gap
    assert "".join(f.json["delta"] for f in frames if f.type == "text-delta") == expected
    # uvicorn re-raises the signal once it has shut down: the exit says SIGTERM, cleanly
    assert code in (0, -signal.SIGTERM), draining.output()[-3000:]
    assert "Application shutdown complete" in draining.output()
    assert stop_s < 5 + 5, f"the gateway took {stop_s:.1f} s to stop"


def _wait_refused(url: str) -> None:
    """Poll until a new connection is refused (raises ConnectError then), bounded."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        httpx.get(url + "/healthz", timeout=1)
        time.sleep(0.02)  # the polling period
    raise AssertionError("the draining gateway still accepts connections after 5 s")
