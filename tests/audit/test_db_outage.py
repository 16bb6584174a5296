"""PostgreSQL refusing the writes for a while (the table away: what an unreachable database
looks like to the consumer): the events wait on the queue and are written on its return."""

from __future__ import annotations

import asyncpg
import httpx

from atlas_common.bus import Bus
from tests.audit.conftest import AuditStack, answered, rows_of, unique_workspace, wait_rows
from tests.support.polling import eventually


async def _write_failures(url: str) -> float:
    async with httpx.AsyncClient() as client:
        text = (await client.get(url + "/metrics", timeout=10)).text
    for line in text.splitlines():
        if line.startswith("atlas_audit_write_failures_total "):
            return float(line.split()[1])
    return 0.0


async def test_events_wait_for_the_database_and_are_written_once(
        audit: AuditStack, bus: Bus, db: asyncpg.Pool) -> None:
    workspace = unique_workspace()
    events = [answered(workspace, question=f"q{i}") for i in range(20)]
    before = await _write_failures(audit.url)
    await db.execute("ALTER TABLE audit.events RENAME TO events_away")
    try:
        for event in events[:10]:
            await bus.publish(event)
        await eventually(lambda: _failed_since(audit.url, before), timeout=30,
                         what="a failed write")
        for event in events[5:]:  # half of them again: a publisher that retried
            await bus.publish(event)
    finally:
        await db.execute("ALTER TABLE audit.events_away RENAME TO events")
    await wait_rows(db, workspace, len(events))
    assert await rows_of(db, workspace) == len(events)


async def _failed_since(url: str, before: float) -> bool:
    return await _write_failures(url) > before
