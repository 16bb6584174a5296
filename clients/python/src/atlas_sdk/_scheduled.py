"""Scheduled tasks: a question asked on a cron schedule and delivered (email, Slack, webhook).

The models of ``/api/v1/scheduled-tasks`` (upstream Atlas's shapes, camelCase on the wire) and
the :class:`~atlas_sdk._base.Call` of each method, shared by the sync and async clients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeAlias

from atlas_sdk import _base as b
from atlas_sdk._models import JSON, _dict, _int, _list, _opt_str, _str, _time

__all__ = [
    "DeliveryChannel",
    "EmailRecipient",
    "Recipient",
    "ScheduledTask",
    "ScheduledTaskList",
    "ScheduledTaskRun",
    "ScheduledTaskRunList",
    "SlackRecipient",
    "TriggerResult",
    "WebhookRecipient",
]

DeliveryChannel: TypeAlias = Literal["email", "slack", "webhook"]
BASE = "/api/v1/scheduled-tasks"


@dataclass(frozen=True)
class EmailRecipient:
    address: str
    type: Literal["email"] = "email"

    def to_json(self) -> dict[str, Any]:
        return {"type": "email", "address": self.address}


@dataclass(frozen=True)
class SlackRecipient:
    """A Slack incoming webhook (or channel, as the server's Slack delivery takes it)."""

    channel: str
    team_id: str | None = None
    type: Literal["slack"] = "slack"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "slack", "channel": self.channel}
        if self.team_id is not None:
            out["teamId"] = self.team_id
        return out


@dataclass(frozen=True)
class WebhookRecipient:
    url: str
    #: Extra headers sent with each delivery (kept out of repr: they often hold a token).
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    type: Literal["webhook"] = "webhook"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "webhook", "url": self.url}
        if self.headers:
            out["headers"] = dict(self.headers)
        return out


Recipient: TypeAlias = EmailRecipient | SlackRecipient | WebhookRecipient
#: What create/update take: a typed recipient, or its JSON (``{"type": "email", ...}``).
RecipientInput: TypeAlias = Recipient | Mapping[str, Any]


def recipient_from_json(d: JSON) -> Recipient | None:
    """One recipient of Atlas's JSON; None for a type this SDK does not know."""
    kind = d.get("type")
    if kind == "email":
        return EmailRecipient(_str(d.get("address")))
    if kind == "slack":
        return SlackRecipient(_str(d.get("channel")), _opt_str(d.get("teamId")))
    if kind == "webhook":
        headers = {str(k): str(v) for k, v in _dict(d.get("headers")).items()}
        return WebhookRecipient(_str(d.get("url")), headers)
    return None


def _recipients(value: object) -> list[Recipient]:
    parsed = (recipient_from_json(r) for r in _list(value) if isinstance(r, Mapping))
    return [r for r in parsed if r is not None]


@dataclass(frozen=True)
class ScheduledTaskRun:
    """One run: ``status`` running, success, failed or skipped (a slot missed while no
    scheduler ran); ``conversation_id`` opens its answer with ``conversations.get``."""

    id: str
    task_id: str
    status: str
    error: str | None
    delivery_status: str | None
    delivery_error: str | None
    conversation_id: str | None
    tokens_used: int | None
    started_at: datetime | None
    completed_at: datetime | None
    #: The schedule's time this run is for; ``trigger`` is ``schedule`` or ``manual``.
    slot_at: datetime | None = None
    trigger: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> ScheduledTaskRun:
        tokens = d.get("tokensUsed")
        return cls(
            id=_str(d.get("id")),
            task_id=_str(d.get("taskId")),
            status=_str(d.get("status")),
            error=_opt_str(d.get("error")),
            delivery_status=_opt_str(d.get("deliveryStatus")),
            delivery_error=_opt_str(d.get("deliveryError")),
            conversation_id=_opt_str(d.get("conversationId")),
            tokens_used=_int(tokens) if tokens is not None else None,
            started_at=_time(d.get("startedAt")),
            completed_at=_time(d.get("completedAt")),
            slot_at=_time(d.get("slotAt")),
            trigger=_opt_str(d.get("trigger")),
            raw=dict(d),
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)


@dataclass(frozen=True)
class ScheduledTask:
    """A task; ``recent_runs`` is filled by ``get`` only (upstream's ScheduledTaskWithRuns)."""

    id: str
    owner_id: str
    name: str
    question: str
    cron_expression: str
    delivery_channel: str
    recipients: list[Recipient]
    enabled: bool
    last_run_at: datetime | None
    next_run_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    timezone: str = "UTC"
    org_id: str | None = None
    recent_runs: list[ScheduledTaskRun] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> ScheduledTask:
        runs = [
            ScheduledTaskRun.from_json(r)
            for r in _list(d.get("recentRuns"))
            if isinstance(r, Mapping)
        ]
        return cls(
            id=_str(d.get("id")),
            owner_id=_str(d.get("ownerId")),
            name=_str(d.get("name")),
            question=_str(d.get("question")),
            cron_expression=_str(d.get("cronExpression")),
            delivery_channel=_str(d.get("deliveryChannel")),
            recipients=_recipients(d.get("recipients")),
            enabled=bool(d.get("enabled")),
            last_run_at=_time(d.get("lastRunAt")),
            next_run_at=_time(d.get("nextRunAt")),
            created_at=_time(d.get("createdAt")),
            updated_at=_time(d.get("updatedAt")),
            timezone=_str(d.get("timezone"), "UTC"),
            org_id=_opt_str(d.get("orgId")),
            recent_runs=runs,
            raw=dict(d),
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)


@dataclass(frozen=True)
class ScheduledTaskList:
    tasks: list[ScheduledTask]
    total: int

    @classmethod
    def from_json(cls, d: JSON) -> ScheduledTaskList:
        tasks = [
            ScheduledTask.from_json(t) for t in _list(d.get("tasks")) if isinstance(t, Mapping)
        ]
        return cls(tasks, _int(d.get("total"), len(tasks)))


@dataclass(frozen=True)
class ScheduledTaskRunList:
    runs: list[ScheduledTaskRun]

    @classmethod
    def from_json(cls, d: JSON) -> ScheduledTaskRunList:
        runs = [
            ScheduledTaskRun.from_json(r) for r in _list(d.get("runs")) if isinstance(r, Mapping)
        ]
        return cls(runs)


@dataclass(frozen=True)
class TriggerResult:
    """``trigger``: the run was started; find it by ``run_id`` in ``list_runs``."""

    task_id: str
    run_id: str | None
    message: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON, task_id: str) -> TriggerResult:
        run = _dict(d.get("run"))
        run_id = _opt_str(d.get("runId")) or _opt_str(run.get("id"))
        return cls(_str(d.get("taskId"), task_id), run_id, _opt_str(d.get("message")), dict(d))


# The calls.


def task_path(task_id: str) -> str:
    return f"{BASE}/{b.segment(task_id)}"


def list_call(limit: int | None, offset: int | None, enabled: bool | None) -> b.Call:
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = limit
    if offset is not None:
        params["offset"] = offset
    if enabled is not None:
        params["enabled"] = "true" if enabled else "false"
    return b.Call("GET", BASE, params=params or None, idempotent=True)


def task_body(
    *,
    name: str | None = None,
    question: str | None = None,
    cron_expression: str | None = None,
    delivery_channel: str | None = None,
    recipients: Sequence[RecipientInput] | None = None,
    timezone: str | None = None,
    enabled: bool | None = None,
) -> dict[str, Any]:
    """The camelCase body of the fields given (None: not sent, so unchanged by an update)."""
    values = {
        "name": name,
        "question": question,
        "cronExpression": cron_expression,
        "deliveryChannel": delivery_channel,
        "timezone": timezone,
        "enabled": enabled,
    }
    body: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
    if recipients is not None:
        body["recipients"] = [_recipient_json(r) for r in recipients]
    return body


def _recipient_json(r: RecipientInput) -> dict[str, Any]:
    if isinstance(r, EmailRecipient | SlackRecipient | WebhookRecipient):
        return r.to_json()
    return dict(r)


def runs_call(task_id: str, limit: int | None) -> b.Call:
    params = {"limit": limit} if limit is not None else None
    return b.Call("GET", task_path(task_id) + "/runs", params=params, idempotent=True)
