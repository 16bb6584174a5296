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
from collections.abc import Sequence
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


async def _denial(entitlements: EntitlementsClient, workspace: str, slot: str) -> str | None:
    """Why the plan refuses this run, or None; the unit is spent once per task and slot."""
    feature = await entitlements.has_feature(workspace, FEATURE)
    if not feature.allowed:
        return f"Not run: {denial_text(feature)}"
    spent = await entitlements.consume(workspace, METER, 1, f"scheduled-run:{slot}")
    return None if spent.allowed else f"Not run: {denial_text(spent)}"


def _run_row(task: dict[str, Any], slot_at: datetime, trigger: Trigger, deadline_s: float,
             lease_s: float, refused: str | None) -> dict[str, Any]:
    run_id, now = uuid.uuid4(), datetime.now(UTC)
    return {
        "id": run_id, "task_id": task["id"], "slot_at": slot_at, "trigger": trigger,
        "status": "failed" if refused else "running", "request_id": uuid.uuid4().hex,
        "conversation_id": run_id.hex, "deadline_at": now + timedelta(seconds=deadline_s),
        "lease_until": None if refused else now + timedelta(seconds=lease_s),
        "error": refused, "finished_at": now if refused else None,
        "deadline": time.time() + deadline_s,
    }


def _job(task: dict[str, Any], run: dict[str, Any]) -> QueryRequested:
    return QueryRequested(
        request_id=run["request_id"], question=task["question"], principal=job_principal(task),
        conversation_id=run["conversation_id"], surface="scheduled", deadline=run["deadline"])


async def fire_many(conn: asyncpg.Connection, entitlements: EntitlementsClient,
                    due: Sequence[tuple[dict[str, Any], datetime]], trigger: Trigger,
                    deadline_s: float, lease_s: float) -> list[Fired]:
    """Insert each (task, slot)'s run and enqueue its job, in ``conn``'s transaction, in a few
    statements whatever the count. A slot that already has a run is left out; a run the plan
    refused is inserted ``failed`` (``refused`` says why) with no job."""
    runs = []
    for task, slot_at in due:
        refused = await _denial(entitlements, task["workspace"],
                                f"{task['id']}:{slot_at.isoformat()}")
        runs.append((task, _run_row(task, slot_at, trigger, deadline_s, lease_s, refused)))
    inserted = await repository.insert_runs(conn, [run for _, run in runs])
    kept = [(task, run) for task, run in runs if run["id"] in inserted]
    await outbox.enqueue(conn, repository.SCHEMA,
                         *(_job(task, run) for task, run in kept if run["error"] is None))
    return [Fired(run["id"], task["id"], run["request_id"], run["deadline"], run["error"])
            for task, run in kept]


async def fire(conn: asyncpg.Connection, entitlements: EntitlementsClient, task: dict[str, Any],
               slot_at: datetime, trigger: Trigger, deadline_s: float,
               lease_s: float) -> Fired | None:
    """One slot of one task (run now): see :func:`fire_many`."""
    fired = await fire_many(conn, entitlements, [(task, slot_at)], trigger, deadline_s, lease_s)
    return fired[0] if fired else None
