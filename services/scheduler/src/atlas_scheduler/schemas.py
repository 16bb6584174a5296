"""Wire models of the scheduled-task API: upstream's paths and camelCase shapes.

Recipients arrive as loose objects and are checked against the channel by ``recipients.py``
(400 ``invalid_recipients`` names the problem); every other field is checked here (422
``validation_error`` naming the field).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

Channel = Literal["email", "slack", "webhook"]
RunStatus = Literal["running", "success", "failed", "skipped"]

MAX_RECIPIENTS = 50
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Cron = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Zone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Recipients = Annotated[list[dict[str, Any]], Field(max_length=MAX_RECIPIENTS)]


class _Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class TaskCreate(_Wire):
    name: Name
    question: Question
    cron_expression: Cron
    timezone: Zone = "UTC"
    delivery_channel: Channel = "email"
    recipients: Recipients = Field(default_factory=list)
    enabled: bool = True


class TaskUpdate(_Wire):
    """Every field optional: the ones given replace the task's."""

    name: Name | None = None
    question: Question | None = None
    cron_expression: Cron | None = None
    timezone: Zone | None = None
    delivery_channel: Channel | None = None
    recipients: Recipients | None = None
    enabled: bool | None = None


class TaskOut(_Wire):
    id: str
    owner_id: str
    org_id: str | None
    name: str
    question: str
    cron_expression: str
    timezone: str
    delivery_channel: Channel
    recipients: list[dict[str, Any]]
    enabled: bool
    last_run_at: datetime | None
    next_run_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RunOut(_Wire):
    id: str
    task_id: str
    slot_at: datetime
    trigger: Literal["schedule", "manual"]
    status: RunStatus
    conversation_id: str | None
    error: str | None
    tokens_used: int | None
    delivery_status: str | None
    delivery_error: str | None
    started_at: datetime
    completed_at: datetime | None
    created_at: datetime


class TaskWithRuns(TaskOut):
    recent_runs: list[RunOut]


class TaskList(_Wire):
    tasks: list[TaskOut]
    total: int


class RunList(_Wire):
    runs: list[RunOut]


class Triggered(_Wire):
    task_id: str
    run_id: str
    message: str = "Run started"


class Deleted(_Wire):
    success: bool = True
