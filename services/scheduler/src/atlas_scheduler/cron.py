"""Cron schedules with time zones (croniter + zoneinfo).

Five fields (minute hour day month weekday) or six with SECONDS FIRST (``*/2 * * * * *``:
every two seconds), the layout of node-cron and Quartz. Slots are computed in the task's time
zone, so "every day at 09:00" stays 09:00 local across daylight-saving changes (a local time
that does not exist that day fires at the next one that does), and stored in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, croniter

from atlas_scheduler.errors import InvalidCron

_TINY = timedelta(microseconds=1)


@dataclass(frozen=True)
class Schedule:
    expression: str
    zone: ZoneInfo

    def _iter(self, start: datetime, *, backwards: bool = False) -> croniter:
        return croniter(self.expression, start.astimezone(self.zone), is_prev=backwards,
                        second_at_beginning=_has_seconds(self.expression))

    def next_after(self, moment: datetime) -> datetime:
        """The first slot strictly after ``moment``."""
        slot: datetime = self._iter(moment).get_next(datetime)
        return slot

    def latest_at_or_before(self, moment: datetime) -> datetime:
        """The last slot at or before ``moment``."""
        slot: datetime = self._iter(moment + _TINY, backwards=True).get_prev(datetime)
        return slot

    def between(self, first: datetime, before: datetime, limit: int) -> list[datetime]:
        """Up to ``limit`` slots from ``first`` (included) to ``before`` (excluded)."""
        found: list[datetime] = []
        it = self._iter(first - _TINY)
        while len(found) < limit:
            slot: datetime = it.get_next(datetime)
            if slot >= before:
                break
            found.append(slot)
        return found


def _has_seconds(expression: str) -> bool:
    return len(expression.split()) == 6


def parse(expression: str, timezone: str) -> Schedule:
    """The schedule, or ``invalid_cron`` (400) naming what is wrong."""
    fields = expression.split()
    if len(fields) not in (5, 6):
        raise InvalidCron(
            "cronExpression needs 5 fields (minute hour day month weekday) or 6 with seconds "
            f"first; got {len(fields)}")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidCron(f"Unknown time zone {timezone!r}", field="timezone") from exc
    schedule = Schedule(" ".join(fields), zone)
    try:
        schedule.next_after(datetime.now(zone))
    except (CroniterBadCronError, CroniterBadDateError, ValueError, KeyError) as exc:
        raise InvalidCron(f"Invalid cronExpression: {exc}") from exc
    return schedule
