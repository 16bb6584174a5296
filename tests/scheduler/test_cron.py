"""Cron schedules: fields, seconds first, time zones across daylight saving, slot ranges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from atlas_scheduler import cron
from atlas_scheduler.errors import InvalidCron


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize("expression", ["", "* * * *", "* * * * * * *", "61 * * * *",
                                        "* 25 * * *", "every day", "*/0 * * * *"])
def test_bad_expressions_are_invalid_cron(expression: str) -> None:
    with pytest.raises(InvalidCron) as caught:
        cron.parse(expression, "UTC")
    assert caught.value.code == "invalid_cron" and caught.value.status_code == 400


def test_an_unknown_zone_is_invalid_cron_on_the_timezone_field() -> None:
    with pytest.raises(InvalidCron) as caught:
        cron.parse("0 9 * * *", "Mars/Olympus")
    assert caught.value.extra["details"][0]["field"] == "timezone"


def test_six_fields_put_seconds_first() -> None:
    schedule = cron.parse("*/20 * * * * *", "UTC")
    assert schedule.next_after(_utc(2026, 1, 1, 0, 0, 5)) == _utc(2026, 1, 1, 0, 0, 20)
    assert schedule.latest_at_or_before(_utc(2026, 1, 1, 0, 0, 40)) == _utc(2026, 1, 1, 0, 0, 40)


def test_local_time_is_kept_across_daylight_saving() -> None:
    schedule = cron.parse("0 9 * * *", "Europe/Paris")
    before = schedule.next_after(_utc(2026, 3, 28, 12))  # CET (UTC+1)
    after = schedule.next_after(before)  # CEST (UTC+2) from March 29
    assert before.astimezone(UTC) == _utc(2026, 3, 29, 7)
    assert after.astimezone(UTC) == _utc(2026, 3, 30, 7)
    assert before.hour == after.hour == 9


def test_between_lists_slots_in_order_bounded() -> None:
    schedule = cron.parse("*/2 * * * * *", "UTC")
    start, end = _utc(2026, 1, 1, 0, 0, 0), _utc(2026, 1, 1, 0, 0, 10)
    slots = schedule.between(start, end, 100)
    assert [s.second for s in slots] == [0, 2, 4, 6, 8]
    assert len(schedule.between(start, end, 3)) == 3
