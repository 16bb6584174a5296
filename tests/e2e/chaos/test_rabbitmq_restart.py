"""RabbitMQ restarted under a steady stream of questions: every question is either refused at
once (503 ``unavailable`` with Retry-After: never published) or answered in full (a confirmed
job is never lost, even one a worker held when the broker went away); then questions flow
again. The recovery (broker back -> first answer) is recorded against the 15 s target."""

from __future__ import annotations

import threading
from collections import Counter

import httpx
import pytest

from tests.e2e.chaos.helpers import (
    assert_clean_ending,
    chat_body,
    deltas,
    expected_answer,
    stream_with_fault,
    text_after_last_restart,
)
from tests.e2e.chaos.matrix_stack import MatrixStack, bearer
from tests.e2e.chaos.recovery import Stopwatch, record
from tests.support.sse import SseFrame
from tests.support.stack import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.chaos_only]
ASKERS = 3
RECOVERY_TARGET_S = 15.0
LONG_QUESTION = "Why is the sky blue?"


class HeldStream:
    """A chat stream the worker is in the middle of when the broker goes: its job was
    confirmed and taken, so it must end with the complete answer."""

    def __init__(self, m: MatrixStack) -> None:
        self.m = m
        self.mid_answer = threading.Event()
        self.frames: list[SseFrame] = []
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> HeldStream:
        self._thread.start()
        return self

    def join(self) -> list[SseFrame]:
        self._thread.join(120)
        assert not self.errors, self.errors
        return self.frames

    def _reached(self, _: str, frames: list[SseFrame]) -> bool:
        if deltas(frames) < 2:
            return False
        self.mid_answer.set()
        return True

    def _run(self) -> None:
        try:
            _, self.frames = stream_with_fault(self.m.gateway, chat_body(LONG_QUESTION, "held"),
                                               self._reached, bearer(self.m.key))
        except BaseException as exc:
            self.errors.append(exc)
            self.mid_answer.set()


class Load:
    """ASKERS threads asking one question after another until stopped; every answer kept."""

    def __init__(self, m: MatrixStack) -> None:
        self.m = m
        self.answers: list[httpx.Response] = []
        self.failures: list[BaseException] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(ASKERS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(120)

    def statuses(self) -> Counter[int]:
        return Counter(r.status_code for r in list(self.answers))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.answers.append(self.m.ask())
            except httpx.HTTPError as exc:  # a hung or dropped request is a lost one
                self.failures.append(exc)


def _refused_promptly(m: MatrixStack) -> httpx.Response | None:
    """A 503 answered within a bound well under the job deadline (a publish that waits for
    the broker to return is not "refused at once")."""
    try:
        r = httpx.post(m.gateway + "/api/v1/query", json={"question": "How many users?"},
                       headers=bearer(m.key), timeout=10)
    except httpx.TimeoutException:
        return None
    return r if r.status_code == 503 else None


def test_rabbitmq_restart_loses_no_confirmed_job(matrix: MatrixStack) -> None:
    m = matrix
    m.wait_healthy()
    expected = m.ask().json()["answer"]
    long_answer = expected_answer(m.gateway, LONG_QUESTION, bearer(m.key))
    with Load(m) as load:
        wait_for(lambda: load.statuses()[200] >= ASKERS, timeout=60, what="answers before")
        held = HeldStream(m).start()
        assert held.mid_answer.wait(60), "the held stream never reached its second token"
        with Stopwatch() as outage:
            m.rabbit.stop()
            try:  # a question asked while the broker is down is refused at once
                refused = wait_for(lambda: _refused_promptly(m), timeout=30, interval=0.2,
                                   what="503 unavailable (within 10 s) while the broker is down")
            finally:
                m.rabbit.start()
        record("RabbitMQ stop -> 503 seen -> broker accepting again", outage.seconds)
        assert refused.json()["error"] == "unavailable", refused.text
        assert int(refused.headers["retry-after"]) >= 1
        with Stopwatch() as watch:
            answered = load.statuses()[200]
            wait_for(lambda: load.statuses()[200] > answered, timeout=60, interval=0.05,
                     what="a question answered after the broker came back")
        record("RabbitMQ restart (clean stop), broker back -> answers", watch.seconds,
               RECOVERY_TARGET_S)
        seen = len(load.answers)
        wait_for(lambda: len(load.answers) >= seen + 2 * ASKERS, timeout=90, what="steady again")
    frames = held.join()
    assert_clean_ending(frames)
    assert "error" not in [f.type for f in frames], [f.data for f in frames if f.type == "error"]
    assert text_after_last_restart(frames).strip() == long_answer
    assert not load.failures, load.failures
    assert load.statuses()[200] > 2 * ASKERS
    for r in load.answers:
        assert r.status_code in (200, 503), r.text
        if r.status_code == 503:
            assert r.json()["error"] == "unavailable" and int(r.headers["retry-after"]) >= 1
        else:
            assert r.json()["answer"] == expected, r.text
    m.wait_healthy()
