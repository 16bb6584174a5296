"""Measured recoveries of the fault matrix, printed at the end of `make chaos` (speed is
reported, never asserted: the tests only bound it generously; docs/reliability.md keeps the
figures against the targets)."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Recovery:
    fault: str
    seconds: float
    target_s: float | None


RECOVERIES: list[Recovery] = []


def record(fault: str, seconds: float, target_s: float | None = None) -> float:
    RECOVERIES.append(Recovery(fault, seconds, target_s))
    return seconds


class Stopwatch:
    """``with Stopwatch() as w: ...`` then ``w.seconds``; or ``w.lap()`` while running."""

    def __enter__(self) -> Stopwatch:
        self.started = time.monotonic()
        self.seconds = 0.0
        return self

    def lap(self) -> float:
        return time.monotonic() - self.started

    def __exit__(self, *exc: object) -> None:
        self.seconds = self.lap()


def summary_lines() -> list[str]:
    lines = [f"{'fault':<58} {'recovery':>9}  target"]
    for r in RECOVERIES:
        target = f"<= {r.target_s:g} s" if r.target_s is not None else "-"
        lines.append(f"{r.fault:<58} {r.seconds:>7.2f} s  {target}")
    return lines
