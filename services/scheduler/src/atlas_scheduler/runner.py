"""Following a run to its end: collect the answer, settle the run, hand it to delivery.

The replica that fired a run follows it and renews its lease every tick; a replica that stops
leaves the lease to run out, and another one takes the run over (``Scheduler``) and reads the
same stream from its replay buffer. Settling is conditional (``status = 'running'``), so of
two replicas that both reach the end only one settles, and only that one delivers.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime
from typing import Any

import asyncpg

from atlas_common.stream import StreamHub
from atlas_common.tasks import BackgroundTasks
from atlas_scheduler import repository
from atlas_scheduler.answers import Collected, collect
from atlas_scheduler.delivery.contract import (
    Deliver,
    DeliveryOutcome,
    DeliveryRun,
    DeliveryTask,
)
from atlas_scheduler.firing import Fired

log = logging.getLogger(__name__)
STOPPED = "The scheduler stopped before the answer was collected"
#: Contract statuses -> the run's deliveryStatus (upstream's words, plus failed_permanent).
DELIVERY_STATUS = {"delivered": "sent", "failed_retryable": "failed",
                   "failed_permanent": "failed_permanent"}


class Runner:
    def __init__(self, pool: asyncpg.Pool, hub: StreamHub, deliver: Deliver | None) -> None:
        self.pool, self.hub, self.deliver = pool, hub, deliver
        self.tasks = BackgroundTasks()
        #: Runs this replica follows: their leases are renewed every tick.
        self.active: set[uuid.UUID] = set()

    def follow(self, fired: Fired, *, taken_over: bool = False) -> None:
        if fired.refused is not None or fired.run_id in self.active:
            return
        self.active.add(fired.run_id)
        self.tasks.spawn(self._follow(fired, taken_over))

    def follow_orphan(self, run: Any) -> None:
        deadline = run["deadline_at"].timestamp() if run["deadline_at"] else time.time()
        self.follow(Fired(run["id"], run["task_id"], run["request_id"], deadline),
                    taken_over=True)

    async def _follow(self, fired: Fired, taken_over: bool) -> None:
        try:
            collected = await collect(self.hub, fired.request_id, fired.run_id.hex,
                                      fired.deadline + 5)
            # Read once the answer is in (not at fire time, when a whole batch fires).
            task = await repository.get_task(self.pool, fired.task_id)
            if task is None:  # deleted meanwhile: its runs went with it
                return
            collected.question = task["question"]
            await self._settle(fired, task, collected, taken_over)
        except Exception:
            log.exception("following a run failed", extra={"run_id": str(fired.run_id)})
        finally:
            self.active.discard(fired.run_id)

    async def _settle(self, fired: Fired, task: dict[str, Any], collected: Collected,
                      taken_over: bool) -> None:
        failure = collected.failure()
        if failure is not None and taken_over and collected.events == 0:
            failure = STOPPED
        delivering = failure is None and bool(task["recipients"]) and self.deliver is not None
        settled = await repository.finish_run(
            self.pool, fired.run_id, "failed" if failure else "success", error=failure,
            conversation_id=collected.conversation_id, tokens=collected.tokens,
            delivery_status="pending" if delivering else None)
        log.info("run settled", extra={"run_id": str(fired.run_id), "task_id": str(task["id"]),
                                       "status": "failed" if failure else "success",
                                       "settled_here": settled})
        if settled and delivering:
            await self._deliver(fired, task, collected)

    async def _deliver(self, fired: Fired, task: dict[str, Any], collected: Collected) -> None:
        assert self.deliver is not None
        run = await repository.run_times(self.pool, fired.run_id)
        try:
            outcome = await self.deliver(_delivery_task(task),
                                         _delivery_run(fired, run["slot_at"], run["started_at"]),
                                         collected.answer())
        except Exception as exc:  # the contract: a raise is a permanent failure
            log.exception("delivery raised", extra={"run_id": str(fired.run_id)})
            outcome = DeliveryOutcome("failed_permanent", 1, type(exc).__name__)
        await repository.set_delivery(self.pool, fired.run_id, DELIVERY_STATUS[outcome.status],
                                      outcome.error, outcome.attempts)

    async def stop(self) -> None:
        await self.tasks.cancel_all()


def _delivery_task(task: dict[str, Any]) -> DeliveryTask:
    return DeliveryTask(id=str(task["id"]), workspace=task["workspace"], name=task["name"],
                        question=task["question"], channel=task["delivery_channel"],
                        recipients=list(task["recipients"]))


def _delivery_run(fired: Fired, slot_at: datetime, started_at: datetime) -> DeliveryRun:
    return DeliveryRun(id=str(fired.run_id), task_id=str(fired.task_id), slot_at=slot_at,
                       started_at=started_at)
