"""The range before a range ("and the month before?", "the week before that", "same period
last year"), and a phrase that names a range so the planner reads it back exactly.

Only ranges with a calendar meaning move: a whole day, week, month, quarter or year goes to
the one before it (a running "this month" too: the month before is the whole previous one);
other whole-day spans move back by their own length. A window that ends at "now" ("last 30
days", "since March") has no single "before" people agree on, so it does not move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from atlas_query.planner import dates as d
from atlas_query.planner.text import normalize
from atlas_query.planner.time import TimeRange, parse_time

UNITS = ("day", "week", "month", "quarter", "year")
_UNIT = r"(day|week|month|quarter|year)"
_REQUESTS = [  # (pattern, what moves): the unit named, any period, or a year back
    (re.compile(rf"\b(?:the )?{_UNIT} (?:before|earlier|prior)(?: that| this| it| then)?\b"),
     "unit"),
    (re.compile(rf"\b(?:the )?(?:previous|preceding|prior) {_UNIT}\b"), "unit"),
    (re.compile(r"\b(?:the )?(?:same )?(?:period|time|dates?|month|week|quarter|day|year) "
                r"(?:a year (?:earlier|ago|before)|last year|the (?:previous|prior) year"
                r"|the year before)\b|\ba year (?:earlier|before)\b"), "year"),
    (re.compile(r"(?:^|\b(?:the )?(?:period|one|time|span) )before(?: that| this| it| then)?\b"
                r"|\bthe (?:previous|preceding|prior) (?:period|one)\b"), "period"),
]


@dataclass(frozen=True)
class Request:
    text: str  # the words asking for it, as found in the normalised follow-up
    kind: str  # unit | period | year
    unit: str | None = None


def request(text: str) -> Request | None:
    """The first "before" a normalised follow-up asks for."""
    for pattern, kind in _REQUESTS:
        found = pattern.search(text)
        if found is not None:
            unit = found.group(1) if kind == "unit" else None
            return Request(found.group(0), kind, unit)
    return None


def before(span: TimeRange, asked: Request) -> tuple[date, date] | None:
    """The days ``[start, end)`` of the range ``asked`` for, or ``None`` when it is unclear."""
    if not (_midnight(span.start) and _midnight(span.end)):
        return None  # a window ending now
    start, end = span.start.date(), span.end.date()
    unit = asked.unit if asked.kind == "unit" else _unit_of(start, end)
    if asked.kind == "year":
        return None if span.running and unit is None else (_year_back(start), _year_back(end))
    if unit is not None and d.period(start, unit) == (start, end):
        return d.period(start, unit, back=1)
    if asked.kind == "unit" or span.running:
        return None  # "the month before" a week, or a running span of no calendar unit
    if start.day == end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        return d.month_start(start, -months), start
    return start - (end - start), start


def phrase(start: date, end: date, now: datetime) -> str | None:
    """Words for ``[start, end)`` that read back as exactly that range, or ``None``."""
    if (start, end) == d.period(start, "year"):
        words = f"in {start.year}"
    elif (start, end) == d.period(start, "quarter"):
        words = f"in Q{(start.month - 1) // 3 + 1} {start.year}"
    elif (start, end) == d.period(start, "month"):
        words = f"in {start:%B} {start.year}"
    elif end - start == timedelta(days=1):
        words = f"on {start.isoformat()}"
    else:
        words = f"between {start.isoformat()} and {(end - timedelta(days=1)).isoformat()}"
    ranges = parse_time(normalize(words), now).ranges
    if len(ranges) != 1 or ranges[0].start.date() != start or ranges[0].end.date() != end:
        return None
    return words


def _unit_of(start: date, end: date) -> str | None:
    return next((u for u in UNITS if d.period(start, u) == (start, end)), None)


def _midnight(moment: datetime) -> bool:
    return (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # Feb 29
        return day.replace(year=day.year - 1, day=28)
