"""Firing one slot of a task: the run row and its ``query.requested`` in ONE transaction.

The run's ``UNIQUE (task_id, slot_at)`` makes a second insert for the same slot a no-op, and
the job goes through the transactional outbox (``atlas_common.outbox``) in the same
transaction, so a slot has one run and one job or neither, whichever replica tries. The plan
is asked first: a workspace whose plan lost ``scheduled-tasks`` or spent its
``scheduled-runs`` gets a ``failed`` run saying why, and no job.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import asyncpg

from atlas_common import outbox
from atlas_common.entitlements import EntitlementsClient, denial_text
from atlas_common.messages import QueryRequested
from atlas_common.principal import Principal
from atlas_scheduler import repository

FEATURE = "scheduled-tasks"
METER = "scheduled-runs"
Trigger = Literal["schedule", "manual"]


@dataclass(frozen=True)
class Fired:
    """A run whose job was queued: the replica that fired it follows its answer."""

    run_id: uuid.UUID
    task_id: uuid.UUID
    request_id: str
    deadline: float
    #: Set when the plan refused the run: it is recorded ``failed`` with this, no job queued.
    refused: str | None = None


def job_principal(task: dict[str, Any]) -> Principal:
    """The owner as saved with the task (role and RLS claims): the run's identity."""
    return Principal.model_validate(task["owner_principal"])


async def _denial(entitlements: EntitlementsClient, workspace: str, run_id: str) -> str | None:
    feature = await entitlements.has_feature(workspace, FEATURE)
    if not feature.allowed:
        return f"Not run: {denial_text(feature)}"
    spent = await entitlements.consume(workspace, METER, 1, f"scheduled-run:{run_id}")
    return None if spent.allowed else f"Not run: {denial_text(spent)}"


async def fire(conn: asyncpg.Connection, entitlements: EntitlementsClient, task: dict[str, Any],
               slot_at: datetime, trigger: Trigger, deadline_s: float,
               lease_s: float) -> Fired | None:
    """Insert the slot's run and enqueue its job (in ``conn``'s transaction). None when the
    slot already has a run; ``refused`` set when the plan refused it (the run says why)."""
    run_id = uuid.uuid4()
    request_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    deadline = time.time() + deadline_s
    run: dict[str, Any] = {
        "id": run_id, "task_id": task["id"], "slot_at": slot_at, "trigger": trigger,
        "status": "running", "request_id": request_id, "conversation_id": run_id.hex,
        "deadline_at": now + timedelta(seconds=deadline_s),
        "lease_until": now + timedelta(seconds=lease_s),
    }
    denial = await _denial(entitlements, task["workspace"], run_id.hex)
    if denial is not None:
        run.update(status="failed", error=denial, finished_at=now, lease_until=None)
        inserted = await repository.insert_run(conn, run)
        return Fired(run_id, task["id"], request_id, deadline, denial) if inserted else None
    if not await repository.insert_run(conn, run):
        return None
    await outbox.enqueue(conn, repository.SCHEMA, QueryRequested(
        request_id=request_id, question=task["question"], principal=job_principal(task),
        conversation_id=run_id.hex, surface="api", deadline=deadline))
    return Fired(run_id, task["id"], request_id, deadline)
