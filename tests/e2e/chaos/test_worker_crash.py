"""A worker killed with SIGKILL mid-job: redelivered, one complete answer, nothing doubled."""

from __future__ import annotations

import re
import signal
import threading

import httpx
import pytest

from tests.e2e.chaos.conftest import POISON, ChaosStack
from tests.e2e.chaos.helpers import (
    DEMO_QUESTION,
    assert_clean_ending,
    chat_body,
    deltas,
    expected_answer,
    stream_with_fault,
    text_after_last_restart,
)
from tests.support.stack import wait_for

pytestmark = pytest.mark.chaos


def _kill_point(point: str, total_tokens: int):  # type: ignore[no-untyped-def]
    def reached(frames) -> bool:  # type: ignore[no-untyped-def]
        last = frames[-1]
        if point == "before-sql":
            return last.type == "data-status"
        if point == "during-text":
            return deltas(frames) == 2
        return deltas(frames) == total_tokens  # the last token: just before done

    return reached


@pytest.mark.parametrize("point", ["before-sql", "during-text", "before-done"])
def test_sigkill_mid_job_loses_nothing_and_repeats_nothing(chaos: ChaosStack, point: str) -> None:
    chaos.ensure_workers(2)
    answer = expected_answer(chaos.gateway)
    reached = _kill_point(point, len(re.findall(r"\S+\s*", answer)))

    def kill(request_id: str, frames) -> bool:  # type: ignore[no-untyped-def]
        if not reached(frames):
            return False
        chaos.holder_of(request_id).popen.send_signal(signal.SIGKILL)
        return True

    _, frames = stream_with_fault(chaos.gateway, chat_body(DEMO_QUESTION, f"kill-{point}"), kill)
    assert_clean_ending(frames)
    kinds = [f.type for f in frames]
    assert kinds.count("data-restart") == 1 and "error" not in kinds
    assert text_after_last_restart(frames).strip() == answer
    assert kinds.count("tool-output-available") >= 1


def test_json_answer_holds_only_the_final_attempt(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)
    answer = expected_answer(chaos.gateway)
    known = set(chaos.started_jobs())
    result: dict[str, httpx.Response] = {}
    asker = threading.Thread(
        target=lambda: result.setdefault(
            "r",
            httpx.post(
                chaos.gateway + "/api/v1/query", json={"question": DEMO_QUESTION}, timeout=90
            ),
        )
    )
    asker.start()
    new = wait_for(
        lambda: [rid for rid in chaos.started_jobs() if rid not in known],
        timeout=10,
        interval=0.02,
        what="the job to start",
    )
    chaos.holder_of(new[0]).popen.send_signal(signal.SIGKILL)
    asker.join(90)
    body = result["r"].json()
    assert result["r"].status_code == 200, body
    assert body["answer"] == answer
    assert len(body["sql"]) == 1 and len(body["data"]) == 1


def test_poison_job_is_dead_lettered_and_others_flow(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)
    stop = threading.Event()

    def supervise() -> None:  # a worker crashed by the poison is restarted, as a supervisor would
        while not stop.wait(0.2):
            if len(chaos.live_workers()) < 2:
                chaos.start_worker(f"worker-r{len(chaos.stack.workers())}")

    supervisor = threading.Thread(target=supervise, daemon=True)
    supervisor.start()
    try:
        r = httpx.post(
            chaos.gateway + "/api/v1/query",
            json={"question": f"How many users? {POISON}"},
            timeout=90,
        )
        assert r.status_code == 500, r.text
        assert r.json()["error"] == "internal_error"
        assert "every attempt" in r.json()["message"]
        wait_for(lambda: chaos.consumers() >= 2, timeout=60, what="workers back")
        assert expected_answer(chaos.gateway)
    finally:
        stop.set()
        supervisor.join(5)
