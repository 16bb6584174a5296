"""Stream events -> AI SDK UI message stream frames (protocol v1), deterministically.

The frames of event ``seq`` get SSE ids ``{seq}-{n}``; the opening ``start`` frame is ``0-0``.
The frames of an event depend only on that event and the one accepted before it (whether a text
part is open), so any gateway replica that holds the replay buffer produces the same ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from atlas_common.errors import ErrorCode, envelope
from atlas_common.stream_events import StreamEvent, TextDeltaEvent

DONE_SENTINEL = "[DONE]"
UI_STREAM_HEADERS = {
    "x-vercel-ai-ui-message-stream": "v1",
    "cache-control": "no-cache, no-transform",
    "x-accel-buffering": "no",
}


@dataclass(frozen=True, slots=True)
class Frame:
    id: str
    payload: dict[str, Any] | str

    def encode(self) -> bytes:
        # Bytes throughout: orjson's output goes into the frame without a decode/encode trip.
        payload = self.payload
        data = payload.encode() if isinstance(payload, str) else orjson.dumps(payload)
        return b"".join((b"id: ", self.id.encode(), b"\ndata: ", data, b"\n\n"))


def start_frame(request_id: str) -> Frame:
    return Frame("0-0", {"type": "start", "messageId": request_id})


def parse_frame_id(value: str) -> tuple[int, int] | None:
    """``"12-3"`` -> ``(12, 3)``; None when the id is not one of ours."""
    seq, sep, n = value.strip().partition("-")
    if not sep or not seq.isdigit() or not n.isdigit():
        return None
    return int(seq), int(n)


def frames_for_event(
    event: StreamEvent, previous: StreamEvent | None, request_id: str
) -> list[Frame]:
    payloads = _close_text_part(event, previous) + _payloads(event, previous, request_id)
    return [Frame(f"{event.seq}-{n}", p) for n, p in enumerate(payloads)]


def _close_text_part(
    event: StreamEvent, previous: StreamEvent | None
) -> list[dict[str, Any] | str]:
    if not isinstance(previous, TextDeltaEvent):
        return []
    if isinstance(event, TextDeltaEvent) and event.part_id == previous.part_id:
        return []
    return [{"type": "text-end", "id": previous.part_id}]


def _payloads(  # noqa: C901 - one branch per event type reads best as a flat table
    event: StreamEvent, previous: StreamEvent | None, request_id: str
) -> list[dict[str, Any] | str]:
    match event.type:
        case "text-delta":
            opened = isinstance(previous, TextDeltaEvent) and previous.part_id == event.part_id
            head: list[dict[str, Any] | str] = (
                [] if opened else [{"type": "text-start", "id": event.part_id}]
            )
            return [*head, {"type": "text-delta", "id": event.part_id, "delta": event.delta}]
        case "tool-call":
            ids = {"toolCallId": event.tool_call_id, "toolName": event.name}
            return [
                {"type": "tool-input-start", **ids},
                {"type": "tool-input-available", **ids, "input": event.input},
            ]
        case "tool-result":
            return [
                {
                    "type": "tool-output-available",
                    "toolCallId": event.tool_call_id,
                    "output": event.output,
                }
            ]
        case "status":
            return [_data("status", {"message": event.message, "stage": event.stage})]
        case "plan":
            return [_data("plan", {"summary": event.summary, "details": event.details})]
        case "chart":
            return [_data("chart", {"chart": event.chart, "x": event.x, "y": event.y})]
        case "clarification":
            return [
                _data(
                    "clarification",
                    {"term": event.term, "options": event.options, "question": event.question},
                )
            ]
        case "suggestions":
            return [_data("suggestions", {"suggestions": event.suggestions})]
        case "usage":
            return [
                _data(
                    "usage",
                    {
                        "inputTokens": event.input_tokens,
                        "outputTokens": event.output_tokens,
                        "totalTokens": event.total_tokens,
                    },
                )
            ]
        case "restart":
            return [_data("restart", {"attempt": event.attempt, "reason": event.reason})]
        case "error":
            return [
                error_payload(event.code, event.message, request_id, event.retry_after_seconds),
                {"type": "finish"},
                DONE_SENTINEL,
            ]
        case "done":
            return [{"type": "finish"}, DONE_SENTINEL]
    raise AssertionError(f"unhandled stream event type {event.type}")  # pragma: no cover


def _data(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": f"data-{name}", "data": data}


def error_payload(
    code: ErrorCode, message: str, request_id: str, retry_after_seconds: int | None = None
) -> dict[str, Any]:
    extra = {} if retry_after_seconds is None else {"retryAfterSeconds": retry_after_seconds}
    body = envelope(code, message, request_id, **extra)
    return {"type": "error", "errorText": orjson.dumps(body).decode()}
