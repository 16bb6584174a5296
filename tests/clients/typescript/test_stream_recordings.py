"""The recorded real streams (tests/fixtures/streams/*.sse) against the Python stream union.

Each recording is read back into ``atlas_common.stream_events`` events (through the union's own
parser), rendered again with ``atlas_common.ui_stream`` and compared byte for byte with the
recording; then the events are checked against the TypeScript SDK's decoding of the same
recording (``*.events.json``, asserted by clients/typescript/test/unit/recordings.test.mjs).
A field renamed on either side breaks one of the two.
"""

from __future__ import annotations

import json
from itertools import groupby
from pathlib import Path
from typing import Any, get_args

import pytest

from atlas_common.stream_events import StreamEvent, parse_event
from atlas_common.ui_stream import frames_for_event, start_frame

STREAMS = Path(__file__).resolve().parents[2] / "fixtures" / "streams"
RECORDINGS = sorted(p.stem for p in STREAMS.glob("*.sse"))
#: Python event type -> the TypeScript SDK's event type for it.
TS_TYPE = {"text-delta": "text", "done": "finish"}
FRAMING = {"text-start", "text-end", "tool-input-start"}


def frames(text: str) -> list[tuple[str, str]]:
    """(id, data) of every frame of a recording."""
    out = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if line)
        if lines:
            out.append((lines["id"], lines["data"]))
    return out


def event_json(payload: dict[str, Any], tools: dict[str, str]) -> dict[str, Any] | None:
    """The stream event a UI chunk came from (camelCase wire -> the union's fields)."""
    kind, data = payload["type"], payload.get("data", {})
    if kind == "text-delta":
        return {"type": "text-delta", "part_id": payload["id"], "delta": payload["delta"]}
    if kind == "tool-input-available":
        tools[payload["toolCallId"]] = payload["toolName"]
        return {
            "type": "tool-call",
            "tool_call_id": payload["toolCallId"],
            "name": payload["toolName"],
            "input": payload["input"],
        }
    if kind == "tool-output-available":
        return {
            "type": "tool-result",
            "tool_call_id": payload["toolCallId"],
            "name": tools[payload["toolCallId"]],
            "output": payload["output"],
        }
    if kind == "data-usage":
        return {
            "type": "usage",
            "input_tokens": data["inputTokens"],
            "output_tokens": data["outputTokens"],
            "total_tokens": data["totalTokens"],
        }
    if kind == "error":
        body = json.loads(payload["errorText"])
        return {
            "type": "error",
            "code": body["error"],
            "message": body["message"],
            "retry_after_seconds": body.get("retryAfterSeconds"),
        }
    if kind == "finish":
        return {"type": "done"}
    if kind.startswith("data-"):
        return {"type": kind.removeprefix("data-"), **data}
    return None


def events_of(recording: list[tuple[str, str]]) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    tools: dict[str, str] = {}
    for seq, group in groupby(recording[1:], key=lambda f: int(f[0].split("-")[0])):
        chunks = [json.loads(d) for _, d in group if d != "[DONE]"]
        main = [c for c in chunks if c["type"] not in FRAMING]
        assert len(main) == 1 or main[0]["type"] == "error", (seq, chunks)
        raw = event_json(main[0], tools)
        assert raw is not None, main[0]
        events.append(parse_event(json.dumps({**raw, "seq": seq})))
    return events


def _read(name: str) -> str:
    return (STREAMS / f"{name}.sse").read_text()


@pytest.mark.parametrize("name", RECORDINGS)
def test_recording_renders_back_from_the_python_union(name: str) -> None:
    text = _read(name)
    recording = frames(text)
    request_id = json.loads(recording[0][1])["messageId"]
    rendered = [start_frame(request_id)]
    previous: StreamEvent | None = None
    for event in events_of(recording):
        rendered += frames_for_event(event, previous, request_id)
        previous = event
    assert b"".join(f.encode() for f in rendered).decode() == text


@pytest.mark.parametrize("name", RECORDINGS)
def test_typescript_events_match_the_python_events(name: str) -> None:
    events = events_of(frames(_read(name)))
    expected: list[str] = []
    for event in events:
        expected.append(TS_TYPE.get(event.type, event.type))
        if event.type == "tool-result" and event.name == "executeSQL":
            expected.append("result")
        if event.type == "error":
            expected.append("finish")  # the error's frames end with finish; the SDK says so
    ts = json.loads((STREAMS / f"{name}.events.json").read_text())
    assert [e["type"] for e in ts] == expected
    texts = [e.delta for e in events if e.type == "text-delta"]
    assert "".join(e["content"] for e in ts if e["type"] == "text") == "".join(texts)


def test_the_recordings_cover_the_union() -> None:
    """Every event type of the union is in a recording."""
    union = {cls.model_fields["type"].default for cls in get_args(get_args(StreamEvent)[0])}
    seen = {e.type for name in RECORDINGS for e in events_of(frames(_read(name)))}
    assert seen == union
