"""Typed events of a streamed answer (:meth:`Atlas.stream_query`).

Each is a frozen dataclass with a literal ``type``, so both ``match`` and ``event.type ==``
work. The AI SDK frames that only frame others (``start``, ``text-start``, ``text-end``,
``tool-input-start``) produce no event; a frame of a type this SDK does not know is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from atlas_sdk._errors import APIError

__all__ = [
    "ChartEvent",
    "ClarificationEvent",
    "ErrorEvent",
    "FinishEvent",
    "PlanEvent",
    "RestartEvent",
    "RowsEvent",
    "StatusEvent",
    "StreamEvent",
    "SuggestionsEvent",
    "TextEvent",
    "ToolCallEvent",
    "ToolResultEvent",
    "UsageEvent",
]


@dataclass(frozen=True)
class TextEvent:
    """A piece of the narrative. Concatenate ``text`` to get the answer."""

    text: str
    part_id: str = ""
    type: Literal["text"] = "text"


@dataclass(frozen=True)
class ToolCallEvent:
    """Atlas calls a tool; for ``executeSQL`` the input is ``{"sql": ...}``."""

    tool_call_id: str
    name: str
    input: dict[str, Any]
    type: Literal["tool-call"] = "tool-call"

    @property
    def sql(self) -> str | None:
        value = self.input.get("sql") if self.name == "executeSQL" else None
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class ToolResultEvent:
    """A tool's output (for ``executeSQL``: ``{columns, rows, truncated}``)."""

    tool_call_id: str
    name: str
    output: dict[str, Any]
    type: Literal["tool-result"] = "tool-result"


@dataclass(frozen=True)
class RowsEvent:
    """The rows of an ``executeSQL`` call, sent right after its :class:`ToolResultEvent`."""

    tool_call_id: str
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False
    type: Literal["rows"] = "rows"


@dataclass(frozen=True)
class ClarificationEvent:
    """Atlas asks which meaning of ``term`` is meant; ask again with one of ``options``."""

    term: str
    options: list[str]
    question: str = ""
    type: Literal["clarification"] = "clarification"


@dataclass(frozen=True)
class SuggestionsEvent:
    suggestions: list[str]
    type: Literal["suggestions"] = "suggestions"


@dataclass(frozen=True)
class StatusEvent:
    """Progress: ``stage`` is e.g. ``planning``, ``executing``; ``stopped`` after a stop."""

    message: str
    stage: str | None = None
    type: Literal["status"] = "status"


@dataclass(frozen=True)
class PlanEvent:
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    type: Literal["plan"] = "plan"


@dataclass(frozen=True)
class ChartEvent:
    """A hint for charting the rows: ``number``, ``bar``, ``line`` or ``table``."""

    chart: str
    x: str | None = None
    y: list[str] = field(default_factory=list)
    type: Literal["chart"] = "chart"


@dataclass(frozen=True)
class UsageEvent:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    type: Literal["usage"] = "usage"


@dataclass(frozen=True)
class RestartEvent:
    """The answer starts over (its job was redelivered to another worker).

    Discard the text, SQL and rows received so far; what follows is the whole new answer.
    """

    attempt: int
    reason: str = ""
    type: Literal["restart"] = "restart"


@dataclass(frozen=True)
class ErrorEvent:
    """The answer failed; ``error`` is the typed exception (not raised: the stream ends)."""

    error: APIError
    type: Literal["error"] = "error"

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def message(self) -> str:
        return self.error.message


@dataclass(frozen=True)
class FinishEvent:
    """The last event of every stream: ``done``, ``stopped`` (after a stop) or ``error``."""

    reason: Literal["done", "stopped", "error"] = "done"
    type: Literal["finish"] = "finish"


StreamEvent: TypeAlias = (
    TextEvent
    | ToolCallEvent
    | ToolResultEvent
    | RowsEvent
    | ClarificationEvent
    | SuggestionsEvent
    | StatusEvent
    | PlanEvent
    | ChartEvent
    | UsageEvent
    | RestartEvent
    | ErrorEvent
    | FinishEvent
)
