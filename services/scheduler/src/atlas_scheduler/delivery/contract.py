"""The interface between the scheduler and the delivery channels.

The scheduler collects a run's answer and calls one ``Deliver`` (``await deliver(task, run,
answer)``); the channels (webhook, email, Slack) live beside this file and return a
``DeliveryOutcome``. The scheduler records ``outcome.status`` as the run's delivery status and
``outcome.error`` as its delivery error; it never retries a delivery itself (the channel owns
retries and backoff, and says how many attempts it made).

Wiring: the channels' package exposes ``build_deliver(settings) -> Deliver`` (settings: the
scheduler's ``atlas_scheduler.settings.SchedulerSettings``; delivery settings are fields added
there, ``ATLAS_SCHEDULER_*``). The scheduler builds one in its lifespan and calls it once per
successful run, outside any database transaction; a raised exception counts as
``failed_permanent`` with the exception's class name as the error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

Channel = Literal["email", "slack", "webhook"]
DeliveryStatus = Literal["delivered", "failed_retryable", "failed_permanent"]


@dataclass(frozen=True, slots=True)
class DeliveryTask:
    """The task a run belongs to, as a channel needs it.

    ``recipients`` are the validated JSON objects stored on the task, one shape per channel
    (upstream's ``Recipient`` union): ``{"type": "email", "address": ...}``,
    ``{"type": "slack", "channel": ..., "teamId"?: ...}`` (``channel`` is the incoming-webhook
    URL), ``{"type": "webhook", "url": ..., "headers"?: {...}}``.
    """

    id: str
    workspace: str
    name: str
    question: str
    channel: Channel
    recipients: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class DeliveryRun:
    """The run being delivered; ``id`` is stable across retries (an idempotency key)."""

    id: str
    task_id: str
    slot_at: datetime
    started_at: datetime


@dataclass(frozen=True, slots=True)
class Answer:
    """A successful answer, as collected from the job's stream."""

    question: str
    conversation_id: str | None
    narrative: str
    sql: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    # True when the worker cut the rows at its limit: say so to the reader.
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What happened. ``error`` is for people and is stored: never a secret or a token."""

    status: DeliveryStatus
    attempts: int
    error: str | None = None


class Deliver(Protocol):
    """One delivery of one run's answer to all of the task's recipients."""

    async def __call__(
        self, task: DeliveryTask, run: DeliveryRun, answer: Answer
    ) -> DeliveryOutcome: ...
