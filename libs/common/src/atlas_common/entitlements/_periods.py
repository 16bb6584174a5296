"""Usage periods: the one function counting and checking both use.

Periods are calendar periods in UTC; weeks start on Monday. A feature with ``reset: none``
has one period that never ends.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from atlas_common.entitlements._models import Reset

#: The start of the single period of a feature that never resets.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def period_bounds(reset: Reset, at: datetime) -> tuple[datetime, datetime | None]:
    """``(start, end)`` of the period holding ``at``; ``end`` is None for ``none``."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if reset == "none":
        return EPOCH, None
    if reset == "day":
        return day, day + timedelta(days=1)
    if reset == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end
