"""The audit service starts on a broker whose ``query.requested`` was made with other arguments
(another ``ATLAS_JOB_DELIVERY_LIMIT``, or before the queue's bound), as every other process
does: it uses that queue as it is rather than exiting (PRECONDITION_FAILED), and still records."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from atlas_common.bus import Bus
from tests.audit.conftest import answered
from tests.support.polling import wait_for
from tests.support.stacks import isolated_stack


def test_it_starts_and_records_on_a_query_queue_of_other_arguments(tmp_path: Path) -> None:
    with isolated_stack(tmp_path) as (stack, iso):
        event = answered()

        async def declare_then_publish() -> None:
            older = await Bus.connect(iso.rabbitmq_url, delivery_limit=3)  # ours default to 5
            try:
                await older.publish(event)
            finally:
                await older.close()

        asyncio.run(declare_then_publish())
        stack.start_audit()
        assert "using it as it is" in stack.procs[-1].output()

        async def recorded() -> bool:
            conn = await asyncpg.connect(iso.database_url)
            try:
                found = await conn.fetchval(
                    "SELECT count(*) FROM audit.events WHERE event_id = $1", event.event_id)
                return bool(found)
            finally:
                await conn.close()

        wait_for(lambda: asyncio.run(recorded()), timeout=30, what="the event recorded")
