"""The admission arithmetic: the cap, the drain rate it measures and the Retry-After it advises
(a hand-driven clock; the behaviour over HTTP is in tests/e2e/test_backpressure.py)."""

from __future__ import annotations

import pytest

from atlas_gateway.admission import COLD_RETRY_AFTER_S, MAX_RETRY_AFTER_S, Admission, DrainRate


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def steady(rate: DrainRate, clock: Clock, per_second: int, seconds: int) -> None:
    for _ in range(per_second * seconds):
        clock.now += 1 / per_second
        rate.tick()


def test_the_drain_rate_follows_a_steady_load() -> None:
    clock = Clock()
    rate = DrainRate(clock=clock)
    steady(rate, clock, per_second=50, seconds=60)  # six time constants: settled
    assert rate.per_second() == pytest.approx(50, rel=0.05)
    clock.now += 30  # nothing finished for three time constants
    assert rate.per_second() < 50 * 0.06


def test_the_cap_admits_until_full_and_again_after_a_leave() -> None:
    admission = Admission(cap=2)
    assert admission.try_enter() and admission.try_enter()
    assert not admission.try_enter() and admission.refused == 1
    admission.leave(answered=True)
    assert admission.try_enter() and admission.in_flight == 2


def test_retry_after_is_the_backlog_over_the_drain_rate_within_bounds() -> None:
    admission = Admission(cap=100)
    assert admission.retry_after() == COLD_RETRY_AFTER_S  # nothing measured yet: the shortest
    clock = Clock()
    admission.drain = DrainRate(clock=clock)
    steady(admission.drain, clock, per_second=20, seconds=60)
    admission.in_flight = 100
    assert admission.retry_after() == 5  # 100 waiting at 20 a second
    assert admission.retry_after(backlog=1) == 1  # never below one second
    assert admission.retry_after(backlog=100_000) == MAX_RETRY_AFTER_S
    advised = {int(admission.refusal("busy").headers["Retry-After"]) for _ in range(200)}
    assert advised <= set(range(5, 11)) and len(advised) > 1  # spread over [5, 10]: no wave
