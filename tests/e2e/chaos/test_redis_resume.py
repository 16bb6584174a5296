"""A client drops mid-answer, Redis restarts, the client resumes with Last-Event-ID.

Within retention (Redis came back with its data: the replay buffer still holds the events)
the resume delivers the rest of the answer, nothing missing or repeated. Beyond it (Redis came
back empty: the buffer is gone) the client is told so explicitly, once: one ``stream_lost``
error, then ``finish`` (or 404 before the stream, which both SDKs read as stream_lost), never
a silent gap. And a job whose worker is writing while Redis restarts (with its data) still
ends with its whole answer."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import redis

from atlas_common.stream.keys import StreamKeys
from tests.e2e.chaos.conftest import ChaosStack
from tests.e2e.chaos.helpers import (
    assert_clean_ending,
    chat_body,
    deltas,
    expected_answer,
    stream_with_fault,
    text_after_last_restart,
)
from tests.e2e.chaos.recovery import Stopwatch, record
from tests.support.sse import SseFrame, parse_sse
from tests.support.stack import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.chaos_only]
LONG_QUESTION = "Why is the sky blue?"


def _read_until_dropped(gateway: str, chat_id: str) -> tuple[str, list[SseFrame]]:
    """Read until the second token, then hang up (the job goes on: the client may resume)."""
    frames: list[SseFrame] = []
    body = chat_body(LONG_QUESTION, chat_id)
    with httpx.stream("POST", gateway + "/api/v1/chat", json=body, timeout=90) as r:
        assert r.status_code == 200, r.read()
        request_id = r.headers["x-request-id"]
        for frame in parse_sse(r.iter_lines()):
            frames.append(frame)
            if deltas(frames) >= 2:
                break
    return request_id, frames


def _resume(gateway: str, request_id: str, last_id: str) -> tuple[int, list[SseFrame], str]:
    url = f"{gateway}/api/v1/chat/{request_id}/stream"
    with httpx.stream("GET", url, headers={"last-event-id": last_id}, timeout=90) as r:
        if r.status_code != 200:
            return r.status_code, [], r.read().decode()
        return 200, list(parse_sse(r.iter_lines())), ""


def _restart_keeping_data(chaos: ChaosStack) -> None:
    """A clean restart: Redis saves its data set on the way down and loads it back."""
    redis.Redis(port=chaos.redis.port).shutdown(save=True)
    chaos.redis.stop()
    chaos.redis.start()


def _finished(chaos: ChaosStack, request_id: str) -> bool:
    keys = StreamKeys(chaos.stack.env["ATLAS_REDIS_PREFIX"], request_id)
    return bool(redis.Redis(port=chaos.redis.port).exists(keys.terminal))


def _drop_restart_resume(
    chaos: ChaosStack, chat_id: str, restart: Callable[[], None]
) -> tuple[list[SseFrame], int, list[SseFrame], str]:
    """Drop after two tokens; once the worker has finished (nothing is written while Redis is
    away: what is tested is what Redis kept), restart Redis and resume."""
    chaos.ensure_workers(2)
    request_id, before = _read_until_dropped(chaos.gateway, chat_id)
    wait_for(lambda: _finished(chaos, request_id), timeout=60, what="the answer finished")
    with Stopwatch() as watch:
        restart()
    record(f"Redis restart ({chat_id}): Redis down and back", watch.seconds)
    status, after, body = _resume(chaos.gateway, request_id, before[-1].id or "0-0")
    return before, status, after, body


def test_resume_within_retention_gets_the_rest(chaos: ChaosStack) -> None:
    expected = expected_answer(chaos.gateway, LONG_QUESTION)
    before, status, after, body = _drop_restart_resume(
        chaos, "resume-kept", lambda: _restart_keeping_data(chaos))
    assert status == 200, body
    assert after[0].type == "start" and after[0].id == "0-0"  # a resume opens with start
    frames = before + after[1:]
    assert_clean_ending(frames)
    assert "error" not in [f.type for f in frames], [f.data for f in frames if f.type == "error"]
    assert text_after_last_restart(frames).strip() == expected


def test_resume_beyond_retention_is_one_explicit_stream_lost(chaos: ChaosStack) -> None:
    _, status, after, body = _drop_restart_resume(
        chaos, "resume-lost", lambda: chaos.redis.restart(down_for=0.5))
    if status == 404:  # the run itself is forgotten: nothing to resume (SDKs: stream_lost)
        assert '"error":"not_found"' in body.replace(" ", ""), body
        return
    assert status == 200, body
    kinds = [f.type for f in after]
    assert kinds.count("error") == 1, kinds
    error = next(f for f in after if f.type == "error").json
    assert '"error":"stream_lost"' in error["errorText"].replace(" ", "")
    assert kinds[-2:] == ["finish", "[DONE]"]
    assert "text-delta" not in kinds[: kinds.index("error")], "text after a gap, not flagged"


def test_job_writing_through_a_redis_restart_completes(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)
    expected = expected_answer(chaos.gateway, LONG_QUESTION)

    def restart(_: str, frames: list[SseFrame]) -> bool:
        if deltas(frames) < 2:
            return False
        _restart_keeping_data(chaos)
        return True

    _, frames = stream_with_fault(chaos.gateway, chat_body(LONG_QUESTION, "kept"), restart)
    assert_clean_ending(frames)
    assert "error" not in [f.type for f in frames], [f.data for f in frames if f.type == "error"]
    assert text_after_last_restart(frames).strip() == expected
