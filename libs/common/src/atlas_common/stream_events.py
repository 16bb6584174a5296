"""Events of one request's answer stream (Redis pub/sub + replay buffer).

A worker emits them; the gateway turns them into AI SDK UI frames (:mod:`atlas_common.ui_stream`)
or gathers them into one JSON answer. ``done`` or ``error`` always ends a stream.
``seq`` and ``attempt`` are stamped by :class:`atlas_common.stream.StreamWriter`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from atlas_common.errors import ErrorCode

ChartKind = Literal["number", "bar", "line", "table"]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: int = 1
    seq: int = 0
    attempt: int = 1


class StatusEvent(_Event):
    type: Literal["status"] = "status"
    message: str
    stage: str | None = None


class PlanEvent(_Event):
    type: Literal["plan"] = "plan"
    summary: str
    details: dict[str, Any] = Field(default_factory=dict)


class ToolCallEvent(_Event):
    type: Literal["tool-call"] = "tool-call"
    tool_call_id: str
    name: str
    input: dict[str, Any]


class ToolResultEvent(_Event):
    type: Literal["tool-result"] = "tool-result"
    tool_call_id: str
    name: str
    output: dict[str, Any]


class ChartEvent(_Event):
    type: Literal["chart"] = "chart"
    chart: ChartKind
    x: str | None = None
    y: list[str] = Field(default_factory=list)


class TextDeltaEvent(_Event):
    type: Literal["text-delta"] = "text-delta"
    part_id: str
    delta: str


class ClarificationEvent(_Event):
    type: Literal["clarification"] = "clarification"
    term: str
    options: list[str]
    question: str = ""


class SuggestionsEvent(_Event):
    type: Literal["suggestions"] = "suggestions"
    suggestions: list[str]


class UsageEvent(_Event):
    type: Literal["usage"] = "usage"
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0


class RestartEvent(_Event):
    type: Literal["restart"] = "restart"
    reason: str = "redelivered"


class ErrorEvent(_Event):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str
    retry_after_seconds: int | None = None


class DoneEvent(_Event):
    type: Literal["done"] = "done"
    conversation_id: str | None = None
    steps: int = 0


StreamEvent = Annotated[
    StatusEvent
    | PlanEvent
    | ToolCallEvent
    | ToolResultEvent
    | ChartEvent
    | TextDeltaEvent
    | ClarificationEvent
    | SuggestionsEvent
    | UsageEvent
    | RestartEvent
    | ErrorEvent
    | DoneEvent,
    Field(discriminator="type"),
]

TERMINAL_TYPES = frozenset({"done", "error"})

_EVENT_ADAPTER: TypeAdapter[StreamEvent] = TypeAdapter(StreamEvent)


def parse_event(raw: bytes | str) -> StreamEvent:
    """Parse one stream event; raises ``pydantic.ValidationError`` when malformed."""
    return _EVENT_ADAPTER.validate_json(raw)


def is_terminal(event: StreamEvent) -> bool:
    return event.type in TERMINAL_TYPES
