"""Period comparisons: for every phrasing the planner accepts, the two windows are adjacent,
equally long and never overlap (issue 22: "last 30 days vs the previous 30 days" once compared
a window with itself), over generated phrasings and clocks in several time zones."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from atlas_query.planner import dates as d
from atlas_query.planner.text import normalize
from atlas_query.planner.time import GRAINS, TimeRange, parse_time

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")
UNITS = st.sampled_from(GRAINS)
COUNTS = st.integers(min_value=1, max_value=90)


@st.composite
def clocks(draw: st.DrawFn) -> datetime:
    moment = draw(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2039, 12, 31)))
    return moment.replace(tzinfo=ZoneInfo(draw(st.sampled_from(ZONES))))


@st.composite
def phrasings(draw: st.DrawFn) -> str:
    unit, n = draw(UNITS), draw(COUNTS)
    past = draw(st.sampled_from(("last", "past", "previous")))
    prior = draw(st.sampled_from(("previous", "prior", "preceding")))
    link = draw(st.sampled_from(("vs", "vs.", "versus", "compared to", "compared with",
                                 "against")))
    the = draw(st.sampled_from(("", "the ")))
    rolling = f"in the {past} {n} {unit}s"
    question = draw(st.sampled_from((
        f"{rolling} {link} {the}{prior} {n} {unit}s",
        f"{rolling} {link} {the}{prior} {n}",
        f"{rolling} {link} {the}{prior} period",
        f"this {unit} {link} last {unit}",
        f"last {unit} {link} this {unit}",
        f"last {unit} {link} {the}{prior} {unit}",
        f"this {unit} {link} {the}{unit} before",
        f"last {unit} {link} the period before",
        f"{unit} over {unit}",
        f"last {unit} {unit} over {unit}",
    )))
    return f"{draw(st.sampled_from(('net revenue', 'orders', 'count of signups')))} {question}"


def _units_long(span: TimeRange, unit: str, n: int) -> bool:
    return d.shift(span.end, unit, -n) == span.start


def _whole(span: TimeRange) -> str | None:
    days = (span.start.date(), span.end.date())
    if span.start.time() != span.start.time().replace(hour=0, minute=0, second=0, microsecond=0):
        return None
    return next((u for u in GRAINS if d.period(days[0], u) == days), None)


def _equally_long(a: TimeRange, b: TimeRange) -> bool:
    if a.end - a.start == b.end - b.start:  # wall-clock length (same zone)
        return True
    if _whole(a) is not None and _whole(a) == _whole(b):
        return True  # this month vs last month: one calendar month each
    return a.unit is not None and a.unit == b.unit and a.count == b.count \
        and _units_long(a, a.unit, a.count) and _units_long(b, b.unit, b.count)


@settings(max_examples=50, deadline=None)
@given(question=phrasings(), now=clocks())
def test_compared_windows_are_adjacent_equal_and_disjoint(question: str, now: datetime) -> None:
    spec = parse_time(normalize(question), now)
    assert spec.compare, (question, spec)
    earlier, later = sorted(spec.ranges, key=lambda r: r.start)
    assert earlier.start < earlier.end <= later.start < later.end, (question, spec.ranges)
    assert earlier.end == later.start, (question, spec.ranges)
    assert _equally_long(earlier, later), (question, spec.ranges)


def test_the_reported_question_compares_two_months_of_days() -> None:
    now = datetime(2026, 11, 18, 10, tzinfo=ZoneInfo("UTC"))
    spec = parse_time(normalize("net revenue in the last 30 days vs the previous 30 days"), now)
    assert spec.compare
    recent, before = spec.ranges
    assert (recent.start, recent.end) == (now - timedelta(days=30), now)
    assert (before.start, before.end) == (now - timedelta(days=60), now - timedelta(days=30))


def test_a_window_against_itself_is_no_comparison() -> None:
    now = datetime(2026, 11, 18, 10, tzinfo=ZoneInfo("UTC"))
    spec = parse_time(normalize("revenue last 30 days vs last 30 days"), now)
    assert not spec.compare
    mismatched = parse_time(normalize("revenue last 30 days vs the previous 7"), now)
    assert not mismatched.compare
