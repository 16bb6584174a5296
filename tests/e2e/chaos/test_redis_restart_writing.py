"""The worker's half of a Redis restart mid-answer: Redis restarts (keeping its data) while the
worker writes a job's stream; the worker rides the outage out (ATLAS_STREAM_WRITE_RETRY_S) and
the stream holds the whole answer, numbered without a gap or a repeat, by the one attempt (the
job was not requeued: the outage spent none of its delivery limit). A client resuming from the
start then gets the whole answer."""

from __future__ import annotations

import httpx
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from atlas_common.stream.keys import StreamKeys
from atlas_common.stream_events import StreamEvent, TextDeltaEvent, parse_event
from tests.e2e.chaos.conftest import ChaosStack
from tests.e2e.chaos.helpers import chat_body, deltas, expected_answer, stream_with_fault
from tests.support.polling import wait_for
from tests.support.sse import SseFrame, parse_sse

pytestmark = [pytest.mark.chaos, pytest.mark.chaos_only]
LONG_QUESTION = "Why is the sky blue?"
#: Longer than a client's reconnect retries (about 0.35 s): only the writer's own retry, within
#: ATLAS_STREAM_WRITE_RETRY_S, rides this out.
OUTAGE_S = 2.0


def _restart_keeping_data(chaos: ChaosStack) -> None:
    """Redis saves its data on the way down, stays away OUTAGE_S, and loads it back."""
    # No retry: redis-py would otherwise retry SHUTDOWN's closed connection for seconds.
    redis.Redis(port=chaos.redis.port, retry=Retry(NoBackoff(), 0)).shutdown(save=True)
    chaos.redis.restart(down_for=OUTAGE_S)


def _stream(chaos: ChaosStack, request_id: str) -> list[StreamEvent]:
    keys = StreamKeys(chaos.stack.env["ATLAS_REDIS_PREFIX"], request_id)
    raw = redis.Redis(port=chaos.redis.port).lrange(keys.buffer, 0, -1)
    return [parse_event(r) for r in raw]


def _ended(chaos: ChaosStack, request_id: str) -> bool:
    keys = StreamKeys(chaos.stack.env["ATLAS_REDIS_PREFIX"], request_id)
    return bool(redis.Redis(port=chaos.redis.port).exists(keys.terminal))


def _answer(events: list[StreamEvent]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextDeltaEvent))


def _resume_from_start(gateway: str, request_id: str) -> list[SseFrame]:
    """A finished run is resumed with an id (without one: 204); ``0-0`` is the start frame."""
    url = f"{gateway}/api/v1/chat/{request_id}/stream"
    with httpx.stream("GET", url, headers={"last-event-id": "0-0"}, timeout=90) as r:
        assert r.status_code == 200, r.read()
        return list(parse_sse(r.iter_lines()))


def test_a_worker_writes_its_whole_answer_through_a_redis_restart(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)
    expected = expected_answer(chaos.gateway, LONG_QUESTION)

    def restart(_: str, frames: list[SseFrame]) -> bool:
        if deltas(frames) < 2:
            return False
        _restart_keeping_data(chaos)
        return True

    # What this live reader is told is the gateway's part; the stream itself is checked here.
    request_id, _ = stream_with_fault(
        chaos.gateway, chat_body(LONG_QUESTION, "writing-through"), restart)
    wait_for(lambda: _ended(chaos, request_id), timeout=60, what="the stream's end")
    events = _stream(chaos, request_id)
    assert events[-1].type == "done", events[-1]
    assert [e.seq for e in events] == list(range(1, len(events) + 1)), "a gap or a repeat"
    assert {e.attempt for e in events} == {1}, "the job was requeued"
    assert not [e for e in events if e.type in ("error", "restart")], events
    assert _answer(events).strip() == expected

    frames = _resume_from_start(chaos.gateway, request_id)
    assert "error" not in [f.type for f in frames], [f.data for f in frames if f.type == "error"]
    text = "".join(f.json["delta"] for f in frames if f.type == "text-delta")
    assert text.strip() == expected
