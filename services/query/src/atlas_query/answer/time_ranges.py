"""Relative time ranges in words ("last week") -> half-open UTC intervals, weeks from Monday."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class TimeRange:
    phrase: str
    start: date
    end: date  # exclusive

    def label(self) -> str:
        last = self.end - timedelta(days=1)
        if last == self.start:
            return _day(self.start, year=True)
        same_year = self.start.year == last.year
        return f"{_day(self.start, year=not same_year)} – {_day(last, year=True)}"


def _day(d: date, *, year: bool) -> str:
    text = f"{d:%b} {d.day}"
    return f"{text}, {d.year}" if year else text


def _month_start(d: date, months_back: int = 0) -> date:
    index = d.year * 12 + d.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _ranges(today: date) -> list[tuple[str, date, date]]:
    monday = today - timedelta(days=today.weekday())
    return [
        (r"\btoday\b", today, today + timedelta(days=1)),
        (r"\byesterday\b", today - timedelta(days=1), today),
        (r"\bthis week\b", monday, monday + timedelta(days=7)),
        (r"\blast week\b", monday - timedelta(days=7), monday),
        (r"\bthis month\b", _month_start(today), _month_start(today, -1)),
        (r"\blast month\b", _month_start(today, 1), _month_start(today)),
        (r"\b(?:last|past) 7 days\b", today - timedelta(days=7), today),
        (r"\b(?:last|past) 30 days\b", today - timedelta(days=30), today),
        (r"\bthis year\b", date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        (r"\blast year\b", date(today.year - 1, 1, 1), date(today.year, 1, 1)),
    ]


def find_range(question: str, now: datetime) -> TimeRange | None:
    text = question.lower()
    for pattern, start, end in _ranges(now.date()):
        match = re.search(pattern, text)
        if match:
            return TimeRange(match.group(0), start, end)
    return None
