"""Period boundaries: calendar periods in UTC, weeks starting on Monday, month ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from atlas_common.entitlements import EPOCH, period_bounds


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("reset", "at", "start", "end"),
    [
        ("day", utc(2024, 3, 10, 23, 59, 59), utc(2024, 3, 10), utc(2024, 3, 11)),
        ("day", utc(2024, 3, 11), utc(2024, 3, 11), utc(2024, 3, 12)),
        # weeks start on Monday: Sunday belongs to the week that began six days earlier
        ("week", utc(2024, 3, 10, 23, 59), utc(2024, 3, 4), utc(2024, 3, 11)),
        ("week", utc(2024, 3, 11, 0, 0), utc(2024, 3, 11), utc(2024, 3, 18)),
        ("week", utc(2024, 3, 13, 12), utc(2024, 3, 11), utc(2024, 3, 18)),
        ("week", utc(2024, 12, 31), utc(2024, 12, 30), utc(2025, 1, 6)),  # across a year
        # month ends: 31, 30, 28, a leap 29th, December
        ("month", utc(2024, 1, 31, 23, 59, 59), utc(2024, 1, 1), utc(2024, 2, 1)),
        ("month", utc(2024, 4, 30, 12), utc(2024, 4, 1), utc(2024, 5, 1)),
        ("month", utc(2023, 2, 28, 23), utc(2023, 2, 1), utc(2023, 3, 1)),
        ("month", utc(2024, 2, 29, 23, 59), utc(2024, 2, 1), utc(2024, 3, 1)),
        ("month", utc(2024, 12, 31, 23, 59, 59), utc(2024, 12, 1), utc(2025, 1, 1)),
        ("month", utc(2025, 1, 1), utc(2025, 1, 1), utc(2025, 2, 1)),
        ("none", utc(2024, 6, 1), EPOCH, None),
    ],
)
def test_period_bounds(reset: str, at: datetime, start: datetime, end: datetime | None) -> None:
    assert period_bounds(reset, at) == (start, end)  # type: ignore[arg-type]


def test_an_instant_in_another_zone_is_placed_in_utc() -> None:
    tokyo = timezone(timedelta(hours=9))
    # 2024-04-01 08:00 in Tokyo is still 31 March in UTC
    assert period_bounds("month", datetime(2024, 4, 1, 8, tzinfo=tokyo))[0] == utc(2024, 3, 1)
    assert period_bounds("day", datetime(2024, 4, 1, 8))[0] == utc(2024, 4, 1)  # naive = UTC


def test_every_instant_is_in_exactly_one_period() -> None:
    at = utc(2024, 2, 26)
    for _ in range(24 * 40):
        for reset in ("day", "week", "month"):
            start, end = period_bounds(reset, at)  # type: ignore[arg-type]
            assert end is not None and start <= at < end
            assert period_bounds(reset, end)[0] == end  # type: ignore[arg-type]
        at += timedelta(hours=1)
