"""The scheduler loop: every tick, fire the due slots, renew leases, take over orphans.

Due tasks are claimed ``FOR UPDATE SKIP LOCKED``: of several replicas ticking together each
task is taken by one, and the run's ``UNIQUE (task_id, slot_at)`` holds even if two did.

Missed slots (no scheduler ran, or a long pause): the LATEST missed slot runs once, the
earlier ones are recorded as ``skipped`` runs (at most ``max_skipped_recorded`` per catch-up),
and the next slot is the first one after now. A slot a tick finds late by less than a tick
is not missed: it is the latest, and runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg

from atlas_common.entitlements import EntitlementsClient
from atlas_common.outbox import DATABASE_ERRORS
from atlas_scheduler import cron, repository
from atlas_scheduler.errors import InvalidCron
from atlas_scheduler.firing import Fired, fire
from atlas_scheduler.runner import Runner
from atlas_scheduler.settings import SchedulerSettings

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, settings: SchedulerSettings, pool: asyncpg.Pool, runner: Runner,
                 entitlements: EntitlementsClient) -> None:
        self.settings, self.pool, self.runner = settings, pool, runner
        self.entitlements = entitlements
        self._task: asyncio.Task[None] | None = None
        self.fired = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scheduler-loop")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except DATABASE_ERRORS as exc:  # PostgreSQL restarting: the next tick retries
                log.warning("scheduler tick failed", extra={"error": repr(exc)})
            await asyncio.sleep(self.settings.tick_s)

    async def tick(self) -> int:
        """One pass; returns how many runs it fired."""
        fired = 0
        while True:
            claimed, batch = await self._claim_batch()
            fired += len(batch)
            for run in batch:
                self.runner.follow(run)
            if claimed < self.settings.claim_batch:  # a full claim: more may be due
                break
        await repository.renew_leases(self.pool, list(self.runner.active), self.settings.lease_s)
        for orphan in await repository.take_orphans(self.pool, self.settings.lease_s, 100):
            log.info("taking over a run", extra={"run_id": str(orphan["id"])})
            self.runner.follow_orphan(orphan)
        self.fired += fired
        return fired

    async def _claim_batch(self) -> tuple[int, list[Fired]]:
        """Due tasks claimed in one transaction, and the runs they fired (followed only once
        committed: the job is published after the commit)."""
        fired: list[Fired] = []
        async with self.pool.acquire() as conn, conn.transaction():
            tasks = await repository.claim_due(conn, self.settings.claim_batch)
            now = datetime.now(UTC)
            for task in tasks:
                run = await self._fire_due(conn, task, now)
                if run is not None:
                    fired.append(run)
        return len(tasks), fired

    async def _fire_due(self, conn: asyncpg.Connection, task: dict[str, Any],
                        now: datetime) -> Fired | None:
        try:
            schedule = cron.parse(task["cron_expression"], task["timezone"])
        except InvalidCron:  # a zone this host no longer knows: stop, do not spin
            log.error("task schedule unusable: disabled", extra={"task_id": str(task["id"])})
            await repository.update_task(conn, task["id"], {"enabled": False})
            return None
        latest = max(schedule.latest_at_or_before(now), task["next_run_at"])
        missed = schedule.between(task["next_run_at"], latest,
                                  self.settings.max_skipped_recorded)
        if missed:
            await repository.insert_skipped(conn, task["id"], missed)
        await repository.advance(conn, task["id"], schedule.next_after(max(now, latest)), latest)
        return await fire(conn, self.entitlements, task, latest, "schedule",
                          self.settings.deadline_s, self.settings.lease_s)

