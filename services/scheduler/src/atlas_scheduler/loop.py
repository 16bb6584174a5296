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
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from atlas_common.entitlements import EntitlementsClient
from atlas_common.outbox import DATABASE_ERRORS
from atlas_scheduler import cron, repository
from atlas_scheduler.errors import InvalidCron
from atlas_scheduler.firing import Fired, fire_many
from atlas_scheduler.runner import Runner
from atlas_scheduler.settings import SchedulerSettings

log = logging.getLogger(__name__)
_AFTER_THE_SLOT = 0.005


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
            except Exception:  # never let the loop die quietly: the transaction rolled back
                log.exception("scheduler tick failed")
            await asyncio.sleep(_until_next_tick(self.settings.tick_s))

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
        committed: the job is published after the commit). A few statements per batch."""
        async with self.pool.acquire() as conn, conn.transaction():
            tasks = await repository.claim_due(conn, self.settings.claim_batch)
            now = datetime.now(UTC)
            plans = [(task, self._plan(task, now)) for task in tasks]
            unusable = [task["id"] for task, plan in plans if plan is None]
            for task_id in unusable:  # a zone this host no longer knows: stop, do not spin
                log.error("task schedule unusable: disabled", extra={"task_id": str(task_id)})
                await repository.update_task(conn, task_id, {"enabled": False})
            due = [(task, plan) for task, plan in plans if plan is not None]
            await repository.insert_skipped(
                conn, [(task["id"], slot) for task, plan in due for slot in plan.missed])
            await repository.advance_many(
                conn, [(task["id"], plan.next_slot, plan.slot) for task, plan in due])
            fired = await fire_many(conn, self.entitlements,
                                    [(task, plan.slot) for task, plan in due], "schedule",
                                    self.settings.deadline_s, self.settings.lease_s)
        return len(tasks), fired

    def _plan(self, task: dict[str, Any], now: datetime) -> Slots | None:
        """The slot to fire now, the missed ones before it and the next; None when the task's
        schedule no longer parses."""
        try:
            schedule = cron.parse(task["cron_expression"], task["timezone"])
        except InvalidCron:
            return None
        latest = max(schedule.latest_at_or_before(now), task["next_run_at"])
        missed = schedule.between(task["next_run_at"], latest,
                                  self.settings.max_skipped_recorded)
        return Slots(latest, missed, schedule.next_after(max(now, latest)))


def _until_next_tick(tick_s: float) -> float:
    """Ticks fall on wall-clock multiples of the tick (just after): slots are on whole
    seconds, so a tick of 0.5 s or 1 s wakes right after a slot instead of up to a tick late."""
    return tick_s - (time.time() % tick_s) + _AFTER_THE_SLOT


@dataclass(frozen=True)
class Slots:
    slot: datetime
    missed: list[datetime]
    next_slot: datetime
