"""``client.scheduledTasks`` of upstream's SDK: ``client.scheduled_tasks`` (sync and async).

The clients are reached through small protocols (their ``_json`` / ``_send``), so this module
imports neither client module and the calls stay the ones :mod:`atlas_sdk._scheduled` builds.
"""

from __future__ import annotations

from collections.abc import Sequence

from atlas_sdk import _base as b
from atlas_sdk import _scheduled as s
from atlas_sdk._scheduled import (
    RecipientInput,
    ScheduledTask,
    ScheduledTaskList,
    ScheduledTaskRunList,
    TriggerResult,
)

__all__ = ["AsyncScheduledTasks", "ScheduledTasks"]


class ScheduledTasks:
    """``client.scheduled_tasks``: your scheduled tasks (an admin sees the workspace's)."""

    def __init__(self, client: b.SyncCaller) -> None:
        self._client = client

    def list(
        self, *, limit: int | None = None, offset: int | None = None, enabled: bool | None = None
    ) -> ScheduledTaskList:
        return ScheduledTaskList.from_json(self._client._json(s.list_call(limit, offset, enabled)))

    def get(self, task_id: str) -> ScheduledTask:
        """The task with its ``recent_runs``; :class:`NotFoundError` when unknown or not yours."""
        call = b.Call("GET", s.task_path(task_id), idempotent=True)
        return ScheduledTask.from_json(self._client._json(call))

    def create(
        self,
        name: str,
        question: str,
        cron_expression: str,
        *,
        delivery_channel: str | None = None,
        recipients: Sequence[RecipientInput] = (),
        timezone: str | None = None,
        enabled: bool | None = None,
    ) -> ScheduledTask:
        """A new task (channel default ``email``, zone ``UTC``). A bad cron is ``invalid_cron``,
        a recipient not of the channel ``invalid_recipients`` (both :class:`BadRequestError`)."""
        body = s.task_body(
            name=name,
            question=question,
            cron_expression=cron_expression,
            delivery_channel=delivery_channel,
            recipients=recipients,
            timezone=timezone,
            enabled=enabled,
        )
        return ScheduledTask.from_json(self._client._json(b.Call("POST", s.BASE, json=body)))

    def update(
        self,
        task_id: str,
        *,
        name: str | None = None,
        question: str | None = None,
        cron_expression: str | None = None,
        delivery_channel: str | None = None,
        recipients: Sequence[RecipientInput] | None = None,
        timezone: str | None = None,
        enabled: bool | None = None,
    ) -> ScheduledTask:
        """Change the fields given (``enabled=False`` pauses the task)."""
        body = s.task_body(
            name=name,
            question=question,
            cron_expression=cron_expression,
            delivery_channel=delivery_channel,
            recipients=recipients,
            timezone=timezone,
            enabled=enabled,
        )
        call = b.Call("PUT", s.task_path(task_id), json=body, idempotent=True)
        return ScheduledTask.from_json(self._client._json(call))

    def delete(self, task_id: str) -> None:
        self._client._send(b.Call("DELETE", s.task_path(task_id))).close()

    def trigger(self, task_id: str) -> TriggerResult:
        """Run now, outside the schedule; a disabled task is :class:`ConflictError`
        ``task_disabled``. Not retried on a dropped connection (it would run twice)."""
        call = b.Call("POST", s.task_path(task_id) + "/run", json={})
        return TriggerResult.from_json(self._client._json(call), task_id)

    def list_runs(self, task_id: str, *, limit: int | None = None) -> ScheduledTaskRunList:
        """The task's runs, newest first."""
        return ScheduledTaskRunList.from_json(self._client._json(s.runs_call(task_id, limit)))


class AsyncScheduledTasks:
    """``client.scheduled_tasks`` of :class:`AsyncAtlas`: the same methods, awaited."""

    def __init__(self, client: b.AsyncCaller) -> None:
        self._client = client

    async def list(
        self, *, limit: int | None = None, offset: int | None = None, enabled: bool | None = None
    ) -> ScheduledTaskList:
        body = await self._client._json(s.list_call(limit, offset, enabled))
        return ScheduledTaskList.from_json(body)

    async def get(self, task_id: str) -> ScheduledTask:
        call = b.Call("GET", s.task_path(task_id), idempotent=True)
        return ScheduledTask.from_json(await self._client._json(call))

    async def create(
        self,
        name: str,
        question: str,
        cron_expression: str,
        *,
        delivery_channel: str | None = None,
        recipients: Sequence[RecipientInput] = (),
        timezone: str | None = None,
        enabled: bool | None = None,
    ) -> ScheduledTask:
        body = s.task_body(
            name=name,
            question=question,
            cron_expression=cron_expression,
            delivery_channel=delivery_channel,
            recipients=recipients,
            timezone=timezone,
            enabled=enabled,
        )
        return ScheduledTask.from_json(await self._client._json(b.Call("POST", s.BASE, json=body)))

    async def update(
        self,
        task_id: str,
        *,
        name: str | None = None,
        question: str | None = None,
        cron_expression: str | None = None,
        delivery_channel: str | None = None,
        recipients: Sequence[RecipientInput] | None = None,
        timezone: str | None = None,
        enabled: bool | None = None,
    ) -> ScheduledTask:
        body = s.task_body(
            name=name,
            question=question,
            cron_expression=cron_expression,
            delivery_channel=delivery_channel,
            recipients=recipients,
            timezone=timezone,
            enabled=enabled,
        )
        call = b.Call("PUT", s.task_path(task_id), json=body, idempotent=True)
        return ScheduledTask.from_json(await self._client._json(call))

    async def delete(self, task_id: str) -> None:
        response = await self._client._send(b.Call("DELETE", s.task_path(task_id)))
        await response.aclose()

    async def trigger(self, task_id: str) -> TriggerResult:
        call = b.Call("POST", s.task_path(task_id) + "/run", json={})
        return TriggerResult.from_json(await self._client._json(call), task_id)

    async def list_runs(self, task_id: str, *, limit: int | None = None) -> ScheduledTaskRunList:
        body = await self._client._json(s.runs_call(task_id, limit))
        return ScheduledTaskRunList.from_json(body)
