"""Monthly partitions and retention on the session's database (migrated by the service)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg

from atlas_audit import maintenance, repository
from atlas_audit.records import row_of
from tests.audit.conftest import AuditStack, answered, at, unique_workspace


async def _where(db: asyncpg.Pool, event_id: str) -> str | None:
    found: str | None = await db.fetchval(
        "SELECT tableoid::regclass::text FROM audit.events WHERE event_id = $1", event_id)
    return found


async def test_months_ahead_exist(audit: AuditStack, db: asyncpg.Pool) -> None:
    made = [name for name, _ in await repository.monthly_partitions(db)]
    month = date.today().replace(day=1)
    for _ in range(maintenance.MONTHS_AHEAD):
        assert repository.partition_name(month) in made
        month = repository.next_month(month)


async def test_a_new_month_takes_its_rows_from_the_default_partition(
        audit: AuditStack, db: asyncpg.Pool) -> None:
    event = answered(unique_workspace(), occurred_at=at("2019-06-10T12:00:00"))
    row = row_of(event)
    assert row is not None
    assert await repository.insert_batch(db, [row]) == 1
    assert await _where(db, event.event_id) == "audit.events_default"
    async with db.acquire() as conn:
        assert await repository.ensure_partitions(conn, date(2019, 6, 1), 1) == ["events_201906"]
    assert await _where(db, event.event_id) == "audit.events_201906"
    assert await repository.insert_batch(db, [row]) == 0  # still idempotent


async def test_retention_drops_old_months_and_keeps_recent_rows(
        audit: AuditStack, db: asyncpg.Pool) -> None:
    workspace = unique_workspace()
    async with db.acquire() as conn:
        await repository.ensure_partitions(conn, date(2020, 1, 1), 1)
    old = answered(workspace, occurred_at=at("2020-01-15T00:00:00"))
    straggler = answered(workspace, occurred_at=at("2020-02-10T00:00:00"))  # default partition
    recent = answered(workspace, occurred_at=datetime.now(UTC) - timedelta(days=1))
    rows = [row_of(e) for e in (old, straggler, recent)]
    assert await repository.insert_batch(db, [r for r in rows if r is not None]) == 3

    _, dropped = await maintenance.maintain(db, retention_days=0)
    assert dropped == [] and await _where(db, old.event_id) == "audit.events_202001"

    _, dropped = await maintenance.maintain(db, retention_days=365)
    assert "events_202001" in dropped
    left = await db.fetch("SELECT event_id FROM audit.events WHERE workspace_id = $1", workspace)
    assert [r["event_id"] for r in left] == [recent.event_id]
    names = [name for name, _ in await repository.monthly_partitions(db)]
    assert "events_202001" not in names
    assert repository.partition_name(date.today().replace(day=1)) in names
