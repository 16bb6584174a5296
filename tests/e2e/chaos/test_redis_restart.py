"""Redis restarted under a stream: a clear ending (or a resume), then business as usual."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.chaos.conftest import ChaosStack
from tests.e2e.chaos.helpers import chat_body, deltas, stream_with_fault
from tests.support.stack import wait_for

pytestmark = pytest.mark.chaos


def test_streams_in_flight_end_clearly_and_new_questions_work(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)

    def restart_redis(_: str, frames) -> bool:  # type: ignore[no-untyped-def]
        if deltas(frames) < 2:
            return False
        chaos.redis.restart(down_for=0.5)
        return True

    _, frames = stream_with_fault(
        chaos.gateway, chat_body("Why is the sky blue?", "redis"), restart_redis
    )
    kinds = [f.type for f in frames]
    assert kinds[-2:] == ["finish", "[DONE]"]
    if "error" in kinds:
        error = next(f for f in frames if f.type == "error").json
        assert '"error":"stream_lost"' in error["errorText"]
    wait_for(
        lambda: (
            httpx.post(
                chaos.gateway + "/api/v1/query",
                timeout=90,
                json={"question": "How many users signed up last week?"},
            ).status_code
            == 200
        ),
        timeout=60,
        interval=0.5,
        what="answers after Redis came back",
    )
