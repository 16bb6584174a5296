"""The chat stream's protocol, without I/O: SSE lines -> frames -> typed events -> an answer.

Atlas answers ``POST /api/v1/chat`` in the AI SDK UI message stream protocol (v1): SSE frames
``data: {json}``, each with an ``id: {seq}-{n}``, ending with ``data: [DONE]``. Ids grow
strictly, so a frame whose id is not above the last one seen is a repeat (a resume sends the
``start`` frame again) and is dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from atlas_sdk._errors import APIError, error_from_text
from atlas_sdk._events import (
    ChartEvent,
    ClarificationEvent,
    ErrorEvent,
    FinishEvent,
    PlanEvent,
    RestartEvent,
    RowsEvent,
    StatusEvent,
    StreamEvent,
    SuggestionsEvent,
    TextEvent,
    ToolCallEvent,
    ToolResultEvent,
    UsageEvent,
)
from atlas_sdk._models import Clarification, DataSet, QueryResult

DONE = "[DONE]"


@dataclass(frozen=True)
class Frame:
    id: str | None
    data: str


class SSEParser:
    """Feed lines (without their ends); complete frames come out. Comments are skipped."""

    def __init__(self) -> None:
        self._id: str | None = None
        self._data: list[str] = []

    def feed(self, line: str) -> Frame | None:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._id = value
        return None

    def _dispatch(self) -> Frame | None:
        if not self._data:
            return None
        frame = Frame(self._id, "\n".join(self._data))
        self._id, self._data = None, []
        return frame


def frame_key(frame_id: str | None) -> tuple[int, int] | None:
    """``"12-3"`` -> ``(12, 3)``; None for an id that is not Atlas's."""
    if frame_id is None:
        return None
    seq, sep, n = frame_id.partition("-")
    if not sep or not seq.isdigit() or not n.isdigit():
        return None
    return int(seq), int(n)


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    value = payload.get("data")
    return value if isinstance(value, dict) else {}


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@dataclass
class FrameDecoder:
    """AI SDK frames -> :data:`StreamEvent` s. Remembers tool names (outputs don't carry them)."""

    tool_names: dict[str, str] = field(default_factory=dict)
    message_id: str | None = None
    stopped: bool = False
    errored: bool = False

    def decode(self, frame: Frame) -> list[StreamEvent]:
        if frame.data == DONE:
            return []
        try:
            payload = json.loads(frame.data)
        except ValueError:
            return []
        return self.events(payload) if isinstance(payload, dict) else []

    def events(self, p: dict[str, Any]) -> list[StreamEvent]:
        kind = str(p.get("type", ""))
        match kind:
            case "start":
                self.message_id = _opt(p.get("messageId"))
                return []
            case "text-delta":
                return [TextEvent(str(p.get("delta", "")), str(p.get("id", "")))]
            case "tool-input-available":
                return [self._tool_call(p)]
            case "tool-output-available":
                return self._tool_output(p)
            case "error":
                self.errored = True
                return [ErrorEvent(error_from_text(str(p.get("errorText", ""))))]
            case "finish":
                return [FinishEvent(self._finish_reason())]
            case "data-status":
                d = _data(p)
                self.stopped = self.stopped or d.get("stage") == "stopped"
                stage = d.get("stage")
                return [
                    StatusEvent(str(d.get("message", "")), None if stage is None else str(stage))
                ]
        return self._data_event(kind, _data(p))

    def _finish_reason(self) -> Literal["done", "stopped", "error"]:
        if self.errored:
            return "error"
        return "stopped" if self.stopped else "done"

    def _data_event(self, kind: str, d: dict[str, Any]) -> list[StreamEvent]:
        match kind:
            case "data-clarification":
                options = _strings(d.get("options"))
                return [
                    ClarificationEvent(
                        str(d.get("term", "")), options, str(d.get("question") or "")
                    )
                ]
            case "data-suggestions":
                return [SuggestionsEvent(_strings(d.get("suggestions")))]
            case "data-plan":
                details = d.get("details")
                return [
                    PlanEvent(
                        str(d.get("summary", "")), details if isinstance(details, dict) else {}
                    )
                ]
            case "data-chart":
                x = d.get("x")
                return [
                    ChartEvent(
                        str(d.get("chart", "")), None if x is None else str(x), _strings(d.get("y"))
                    )
                ]
            case "data-usage":
                return [
                    UsageEvent(
                        _int(d.get("inputTokens")),
                        _int(d.get("outputTokens")),
                        _int(d.get("totalTokens")),
                    )
                ]
            case "data-restart":
                return [RestartEvent(_int(d.get("attempt")), str(d.get("reason", "")))]
        return []

    def _tool_call(self, p: dict[str, Any]) -> ToolCallEvent:
        call_id, name = str(p.get("toolCallId", "")), str(p.get("toolName", ""))
        self.tool_names[call_id] = name
        value = p.get("input")
        return ToolCallEvent(call_id, name, value if isinstance(value, dict) else {})

    def _tool_output(self, p: dict[str, Any]) -> list[StreamEvent]:
        call_id = str(p.get("toolCallId", ""))
        name = self.tool_names.get(call_id, "")
        value = p.get("output")
        output = value if isinstance(value, dict) else {}
        events: list[StreamEvent] = [ToolResultEvent(call_id, name, output)]
        if name == "executeSQL" and "columns" in output:
            data = DataSet.from_json(output)
            events.append(RowsEvent(call_id, data.columns, data.rows, data.truncated))
        return events


@dataclass
class AnswerBuilder:
    """Events -> one :class:`QueryResult`, as ``POST /api/v1/query`` would have answered.

    A :class:`RestartEvent` starts the answer over; an :class:`ErrorEvent` is kept to raise.
    """

    request_id: str
    conversation_id: str | None
    text: list[str] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    data: list[DataSet] = field(default_factory=list)
    total_tokens: int = 0
    clarification: Clarification | None = None
    suggestions: list[str] | None = None
    error: APIError | None = None

    def add(self, event: StreamEvent) -> None:
        if isinstance(event, RestartEvent):
            self.text, self.sql, self.data = [], [], []
            self.total_tokens, self.clarification, self.suggestions = 0, None, None
        elif isinstance(event, TextEvent):
            self.text.append(event.text)
        elif isinstance(event, ToolCallEvent) and event.sql is not None:
            self.sql.append(event.sql)
        elif isinstance(event, RowsEvent):
            self.data.append(DataSet(event.columns, event.rows, event.truncated))
        elif isinstance(event, ClarificationEvent):
            self.clarification = Clarification(event.term, event.options, event.question)
        elif isinstance(event, SuggestionsEvent):
            self.suggestions = list(event.suggestions)
        elif isinstance(event, UsageEvent):
            self.total_tokens = event.total_tokens
        elif isinstance(event, ErrorEvent):
            self.error = event.error

    def result(self) -> QueryResult:
        if self.error is not None:
            raise self.error
        raw: dict[str, Any] = {
            "answer": "".join(self.text).strip(),
            "sql": list(self.sql),
            "data": [{"columns": d.columns, "rows": d.rows} for d in self.data],
            "steps": len(self.sql),
            "usage": {"totalTokens": self.total_tokens},
            "conversationId": self.conversation_id,
            "requestId": self.request_id,
        }
        if self.clarification is not None:
            c = self.clarification
            raw["clarification"] = {"term": c.term, "options": c.options, "question": c.question}
        if self.suggestions is not None:
            raw["suggestions"] = self.suggestions
        return QueryResult.from_json(raw)
