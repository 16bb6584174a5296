"""Time ranges and grains: fixed clocks at week, month, quarter and year boundaries, leap
days, and time zones (weeks start on Monday; ranges are half-open)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from atlas_query.planner.dates import parse_date, period, shift, span_label
from atlas_query.planner.text import normalize
from atlas_query.planner.time import TimeRange, parse_time

WED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def one(question: str, now: datetime = WED) -> TimeRange:
    spec = parse_time(normalize(question), now)
    assert len(spec.ranges) == 1, spec
    return spec.ranges[0]


def days(found: TimeRange) -> tuple[date, date]:
    """First and last day covered."""
    return found.dates()


@pytest.mark.parametrize(("phrase", "first", "last"), [
    ("today", date(2026, 11, 18), date(2026, 11, 18)),
    ("yesterday", date(2026, 11, 17), date(2026, 11, 17)),
    ("this week", date(2026, 11, 16), date(2026, 11, 22)),
    ("last week", date(2026, 11, 9), date(2026, 11, 15)),
    ("this month", date(2026, 11, 1), date(2026, 11, 30)),
    ("last month", date(2026, 10, 1), date(2026, 10, 31)),
    ("this quarter", date(2026, 10, 1), date(2026, 12, 31)),
    ("last quarter", date(2026, 7, 1), date(2026, 9, 30)),
    ("this year", date(2026, 1, 1), date(2026, 12, 31)),
    ("last year", date(2025, 1, 1), date(2025, 12, 31)),
    ("in 2025", date(2025, 1, 1), date(2025, 12, 31)),
    ("in March", date(2026, 3, 1), date(2026, 3, 31)),
    ("in December", date(2025, 12, 1), date(2025, 12, 31)),  # the latest December begun
    ("in Q2 2026", date(2026, 4, 1), date(2026, 6, 30)),
    ("in Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("in the first quarter of 2025", date(2025, 1, 1), date(2025, 3, 31)),
    ("on 2026-10-05", date(2026, 10, 5), date(2026, 10, 5)),
    ("on March 5th", date(2026, 3, 5), date(2026, 3, 5)),
    ("on 5 March 2025", date(2025, 3, 5), date(2025, 3, 5)),
    ("between 2026-03-01 and 2026-03-31", date(2026, 3, 1), date(2026, 3, 31)),
    ("between January 1 and January 15, 2026", date(2026, 1, 1), date(2026, 1, 15)),
    ("from April to June 2026", date(2026, 4, 1), date(2026, 6, 30)),
])
def test_calendar_ranges(phrase: str, first: date, last: date) -> None:
    assert days(one(f"orders {phrase}")) == (first, last)


def test_rolling_windows_end_now() -> None:
    found = one("orders in the last 30 days")
    assert found.utc() == (datetime(2026, 10, 19, 10), datetime(2026, 11, 18, 10))
    assert one("the past 7 days").utc()[0] == datetime(2026, 11, 11, 10)
    assert one("last 3 months").utc()[0] == datetime(2026, 8, 18, 10)
    assert one("past week").utc()[0] == datetime(2026, 11, 11, 10)


def test_since_and_to_date_run_until_now() -> None:
    assert one("signups since March").utc() == (datetime(2026, 3, 1), datetime(2026, 11, 18, 10))
    assert one("GMV year to date").utc()[0] == datetime(2026, 1, 1)
    assert one("orders mtd").utc()[0] == datetime(2026, 11, 1)


def test_week_boundaries_monday_and_sunday() -> None:
    monday_midnight = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
    assert days(one("this week", monday_midnight)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert days(one("last week", monday_midnight)) == (date(2026, 11, 9), date(2026, 11, 15))
    sunday_late = datetime(2026, 11, 15, 23, 59, tzinfo=UTC)
    assert days(one("this week", sunday_late)) == (date(2026, 11, 9), date(2026, 11, 15))
    assert days(one("last week", sunday_late)) == (date(2026, 11, 2), date(2026, 11, 8))


def test_year_and_month_boundaries() -> None:
    new_year = datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    assert days(one("last month", new_year)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert days(one("last quarter", new_year)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert days(one("last week", new_year)) == (date(2026, 12, 21), date(2026, 12, 27))
    assert days(one("yesterday", new_year)) == (date(2026, 12, 31), date(2026, 12, 31))
    march_31 = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert one("last 1 month", march_31).utc()[0] == datetime(2026, 2, 28, 12)  # clamped


def test_leap_day() -> None:
    leap = datetime(2028, 2, 29, 8, tzinfo=UTC)
    assert days(one("today", leap)) == (date(2028, 2, 29), date(2028, 2, 29))
    assert one("last year", leap).utc() == (datetime(2027, 1, 1), datetime(2028, 1, 1))
    assert shift(leap, "year", -1) == datetime(2027, 2, 28, 8, tzinfo=UTC)
    assert parse_date("2027-02-29", date(2028, 1, 1)) is None


def test_time_zone_moves_the_day_and_converts_bounds() -> None:
    # 02:00 UTC on Nov 18 is still Nov 17 in New York (UTC-5 in November).
    now = datetime(2026, 11, 18, 2, 0, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    today = one("today", now)
    assert days(today) == (date(2026, 11, 17), date(2026, 11, 17))
    assert today.utc() == (datetime(2026, 11, 17, 5), datetime(2026, 11, 18, 5))
    # Tokyo is ahead: its Monday starts on Sunday 15:00 UTC.
    tokyo = datetime(2026, 11, 15, 16, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    assert one("this week", tokyo).utc()[0] == datetime(2026, 11, 15, 15)


def test_daylight_saving_change_inside_a_range() -> None:
    berlin = datetime(2026, 11, 18, 10, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    october = one("last month", berlin)  # CEST (UTC+2) to CET (UTC+1) on Oct 25
    assert october.utc() == (datetime(2026, 9, 30, 22), datetime(2026, 10, 31, 23))


def test_grains_and_comparisons() -> None:
    spec = parse_time(normalize("GMV by month in 2026"), WED)
    assert spec.grain == "month" and len(spec.ranges) == 1
    assert parse_time(normalize("weekly signups"), WED).grain == "week"
    assert parse_time(normalize("quarterly GMV"), WED).grain == "quarter"
    assert parse_time(normalize("orders per day"), WED).grain == "day"
    assert parse_time(normalize("signups over time"), WED).auto_grain
    assert parse_time(normalize("which month had the most orders"), WED).which
    compared = parse_time(normalize("orders this month vs last month"), WED)
    assert compared.compare and [r.name for r in compared.ranges] == ["this month", "last month"]
    both = parse_time(normalize("orders this month in Germany in 2025"), WED)
    assert not both.compare and len(both.ranges) == 2


def test_labels_state_the_resolved_dates() -> None:
    assert one("last week").label(WED) == "Nov 9 – Nov 15, 2026"
    assert one("this month").label(WED) == "Nov 1 – Nov 18, 2026"  # a running period: to date
    assert one("yesterday").label(WED) == "Nov 17, 2026"
    assert span_label(date(2025, 12, 29), date(2026, 1, 4)) == "Dec 29, 2025 – Jan 4, 2026"


def test_periods_and_shifts() -> None:
    assert period(date(2026, 1, 15), "quarter", 1) == (date(2025, 10, 1), date(2026, 1, 1))
    assert period(date(2026, 1, 1), "week") == (date(2025, 12, 29), date(2026, 1, 5))
    assert shift(datetime(2026, 5, 31, tzinfo=UTC), "month", -3).day == 28
    assert parse_date("q3", date(2026, 2, 1)) == (date(2025, 7, 1), date(2025, 10, 1))
