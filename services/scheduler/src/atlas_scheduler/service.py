"""Scheduled tasks: create, read, change, delete, run now, list runs.

Visibility: a task's owner sees and changes it; an admin sees and changes every task of the
workspace; anyone else gets 404 (the task's existence is not disclosed). A task runs as its
owner as they were when they last saved it (role and RLS claims), whoever edits it. Creating,
changing and running a task need the plan's ``scheduled-tasks`` feature.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from atlas_common.entitlements import EntitlementsClient, raise_for
from atlas_common.principal import Principal
from atlas_scheduler import cron, recipients, repository
from atlas_scheduler.errors import TaskDisabled, TaskNotFound
from atlas_scheduler.firing import FEATURE, Fired, fire
from atlas_scheduler.runner import Runner
from atlas_scheduler.schemas import TaskCreate, TaskUpdate
from atlas_scheduler.settings import SchedulerSettings


def _snapshot(principal: Principal) -> dict[str, Any]:
    """The owner as a run will ask: no credential id or expiry (a run outlives a session)."""
    return principal.model_copy(update={"credential_id": None, "expires_at": None}).model_dump(
        mode="json")


def _owner(principal: Principal) -> dict[str, Any]:
    return {"owner_role": principal.role, "owner_claims": dict(principal.claims),
            "owner_principal": _snapshot(principal)}


def _next_run(expression: str, timezone: str, enabled: bool) -> datetime | None:
    schedule = cron.parse(expression, timezone)
    return schedule.next_after(datetime.now(UTC)) if enabled else None


class TaskService:
    def __init__(self, settings: SchedulerSettings, pool: asyncpg.Pool, runner: Runner,
                 entitlements: EntitlementsClient) -> None:
        self.settings, self.pool, self.runner = settings, pool, runner
        self.entitlements = entitlements

    async def _entitled(self, principal: Principal) -> None:
        raise_for(await self.entitlements.has_feature(principal.workspace_id, FEATURE))

    async def create(self, principal: Principal, body: TaskCreate) -> dict[str, Any]:
        checked = recipients.validate(body.delivery_channel, body.recipients)
        next_run_at = _next_run(body.cron_expression, body.timezone, body.enabled)
        await self._entitled(principal)
        return await repository.insert_task(self.pool, {
            "id": uuid.uuid4(), "workspace": principal.workspace_id,
            "owner_id": principal.user_id, **_owner(principal), "name": body.name,
            "question": body.question, "cron_expression": " ".join(body.cron_expression.split()),
            "timezone": body.timezone, "delivery_channel": body.delivery_channel,
            "recipients": checked, "enabled": body.enabled, "next_run_at": next_run_at})

    async def get(self, principal: Principal, task_id: str) -> dict[str, Any]:
        task = await repository.get_task(self.pool, _task_uuid(task_id))
        if task is None or not _visible(task, principal):
            raise TaskNotFound()
        return task

    async def list_tasks(self, principal: Principal, enabled: bool | None, limit: int,
                   offset: int) -> tuple[list[dict[str, Any]], int]:
        owner = None if principal.has_role("admin") else principal.user_id
        return await repository.list_tasks(self.pool, principal.workspace_id, owner, enabled,
                                           limit, offset)

    async def update(self, principal: Principal, task_id: str,
                     body: TaskUpdate) -> dict[str, Any]:
        task = await self.get(principal, task_id)
        changes = body.model_dump(exclude_unset=True, exclude_none=True)
        merged = {**task, **changes}
        if "recipients" in changes or "delivery_channel" in changes:
            changes["recipients"] = recipients.validate(merged["delivery_channel"],
                                                        merged["recipients"])
        if changes.keys() & {"cron_expression", "timezone", "enabled"}:
            changes["next_run_at"] = _next_run(merged["cron_expression"], merged["timezone"],
                                               merged["enabled"])
        await self._entitled(principal)
        if principal.user_id == task["owner_id"]:
            changes.update(_owner(principal))  # the owner's current role and claims
        return await repository.update_task(self.pool, task["id"], changes)

    async def delete(self, principal: Principal, task_id: str) -> None:
        task = await self.get(principal, task_id)
        await repository.delete_task(self.pool, task["id"])

    async def trigger(self, principal: Principal, task_id: str) -> Fired:
        """Run the task now, outside its schedule (a slot of its own: this moment)."""
        visible = await self.get(principal, task_id)
        await self._entitled(principal)
        async with self.pool.acquire() as conn, conn.transaction():
            task = await repository.lock_task(conn, visible["id"])
            if task is None:
                raise TaskNotFound()
            if not task["enabled"]:
                raise TaskDisabled()
            fired = await fire(conn, self.entitlements, task, datetime.now(UTC), "manual",
                               self.settings.deadline_s, self.settings.lease_s)
            if fired is None:  # this very microsecond already has a run: ask again
                raise TaskNotFound()
            await repository.advance(conn, task["id"], task["next_run_at"], datetime.now(UTC))
        self.runner.follow(fired)
        return fired

    async def runs(self, principal: Principal, task_id: str, limit: int) -> list[Any]:
        task = await self.get(principal, task_id)
        return await repository.list_runs(self.pool, task["id"], limit)


def _visible(task: dict[str, Any], principal: Principal) -> bool:
    if task["workspace"] != principal.workspace_id:
        return False
    return principal.has_role("admin") or task["owner_id"] == principal.user_id


def _task_uuid(task_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(task_id)
    except ValueError as exc:
        raise TaskNotFound() from exc
