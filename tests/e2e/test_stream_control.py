"""Resume with Last-Event-ID, stop, and abandonment of a chat stream."""

from __future__ import annotations

import json
import re

import httpx
import redis

from tests.support.isolation import Isolation
from tests.support.sse import SseFrame, parse_sse
from tests.support.stack import wait_for

QUESTION = "How many users signed up last week?"
LONG_QUESTION = "Why is the sky blue?"  # the long "can't answer" text: many tokens


def body(text: str, chat_id: str) -> dict[str, object]:
    return {
        "id": chat_id,
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}],
    }


def read_until(
    gateway: str, payload: dict[str, object], stop_after_deltas: int
) -> tuple[str, list[SseFrame]]:
    """Read a chat stream until N text deltas arrived, then drop the connection."""
    frames: list[SseFrame] = []
    with httpx.stream("POST", gateway + "/api/v1/chat", json=payload, timeout=30) as r:
        assert r.status_code == 200
        request_id = r.headers["x-request-id"]
        for frame in parse_sse(r.iter_lines()):
            frames.append(frame)
            if sum(f.type == "text-delta" for f in frames) >= stop_after_deltas:
                break
    return request_id, frames


def resume(gateway: str, run_id: str, last_event_id: str | None) -> tuple[int, list[SseFrame]]:
    headers = {"last-event-id": last_event_id} if last_event_id else {}
    with httpx.stream(
        "GET", f"{gateway}/api/v1/chat/{run_id}/stream", headers=headers, timeout=30
    ) as r:
        if r.status_code != 200:
            return r.status_code, []
        return 200, list(parse_sse(r.iter_lines()))


def test_resume_misses_nothing_and_repeats_nothing(gateway: str) -> None:
    request_id, first = read_until(gateway, body(LONG_QUESTION, "chat-resume"), 3)
    assert first[-1].type == "text-delta"
    status, rest = resume(gateway, request_id, first[-1].id)
    assert status == 200
    assert rest[0].id == "0-0" and rest[0].type == "start"
    status, full = resume(gateway, request_id, "0-0")
    assert status == 200
    combined = [(f.id, f.data) for f in first] + [(f.id, f.data) for f in rest[1:]]
    expected = [(f.id, f.data) for f in full]
    assert [i for i, _ in combined] == [i for i, _ in expected]
    assert combined == expected
    assert expected[-1][1] == "[DONE]"


def test_resume_by_chat_id_204_when_finished_404_when_unknown(gateway: str) -> None:
    request_id, first = read_until(gateway, body(QUESTION, "chat-by-id"), 1)
    status, rest = resume(gateway, "chat-by-id", first[-1].id)
    assert status == 200 and rest[-1].data == "[DONE]"
    assert resume(gateway, request_id, None)[0] == 204  # finished: no active run
    assert resume(gateway, "chat-by-id", None)[0] == 204
    for unknown in ("no-such-run", "00000000-0000-4000-8000-000000000000"):
        r = httpx.get(f"{gateway}/api/v1/chat/{unknown}/stream", timeout=10)
        assert r.status_code == 404 and r.json()["error"] == "not_found", unknown


def test_stop_cancels_the_answer(gateway: str) -> None:
    frames: list[SseFrame] = []
    with httpx.stream(
        "POST", gateway + "/api/v1/chat", json=body(LONG_QUESTION, "chat-stop"), timeout=30
    ) as r:
        request_id = r.headers["x-request-id"]
        for frame in parse_sse(r.iter_lines()):
            frames.append(frame)
            if frame.type == "text-delta" and sum(f.type == "text-delta" for f in frames) == 2:
                stop = httpx.post(f"{gateway}/api/v1/chat/{request_id}/stop", timeout=10)
                assert stop.status_code == 200 and stop.json()["stopped"] is True
    kinds = [f.type for f in frames]
    assert kinds[-2:] == ["finish", "[DONE]"]
    statuses = [f.json["data"] for f in frames if f.type == "data-status"]
    assert any(s.get("stage") == "stopped" for s in statuses)
    answer = httpx.post(
        gateway + "/api/v1/query", json={"question": LONG_QUESTION}, timeout=30
    ).json()["answer"]
    full_tokens = len(re.findall(r"\S+\s*", answer))
    assert sum(f.type == "text-delta" for f in frames) < full_tokens, "stop did not cut it short"


def test_stop_of_unknown_run_is_404(gateway: str) -> None:
    r = httpx.post(f"{gateway}/api/v1/chat/nope/stop", timeout=10)
    assert r.status_code == 404 and r.json()["error"] == "not_found"


def test_abandoned_stream_is_cancelled_after_grace(gateway: str, isolation: Isolation) -> None:
    request_id, _ = read_until(gateway, body(LONG_QUESTION, "chat-abandon"), 1)
    client = redis.Redis.from_url(isolation.redis_url)
    buffer = f"{isolation.redis_prefix}stream:{request_id}:buffer"

    def ended() -> list[dict[str, object]] | None:
        events = [json.loads(e) for e in client.lrange(buffer, 0, -1)]
        return events if events and events[-1]["type"] in ("done", "error") else None

    # Read the buffer, not the stream: a listener would keep the run alive.
    events = wait_for(ended, timeout=20, interval=0.1, what="the abandoned run to end")
    client.close()
    assert any(e["type"] == "status" and e.get("stage") == "stopped" for e in events)
