"""The AI SDK UI message stream chunks (protocol v1), as JSON schemas written from its spec.

Used to check that every frame Atlas sends parses as a chunk a stock AI SDK client accepts,
and that the sequence is well formed (text parts opened before deltas, tools before outputs).
"""

from __future__ import annotations

from typing import Any

import jsonschema

_STR = {"type": "string"}


def _chunk(type_: str, **props: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"type": {"const": type_}, **props},
        "required": ["type", *[k for k in props if not k.endswith("?")]],
    }


SCHEMAS: dict[str, dict[str, Any]] = {
    "start": {
        "type": "object",
        "properties": {"type": {"const": "start"}, "messageId": _STR},
        "required": ["type"],
    },
    "text-start": _chunk("text-start", id=_STR),
    "text-delta": _chunk("text-delta", id=_STR, delta=_STR),
    "text-end": _chunk("text-end", id=_STR),
    "tool-input-start": _chunk("tool-input-start", toolCallId=_STR, toolName=_STR),
    "tool-input-available": _chunk(
        "tool-input-available", toolCallId=_STR, toolName=_STR, input={}
    ),
    "tool-output-available": _chunk("tool-output-available", toolCallId=_STR, output={}),
    "error": _chunk("error", errorText=_STR),
    "finish": {"type": "object", "properties": {"type": {"const": "finish"}}, "required": ["type"]},
}
DATA_SCHEMA = {
    "type": "object",
    "properties": {"type": {"type": "string", "pattern": "^data-[a-z-]+$"}},
    "required": ["type", "data"],
}


def validate_chunk(chunk: dict[str, Any]) -> None:
    kind = chunk.get("type")
    schema = SCHEMAS.get(str(kind)) or (DATA_SCHEMA if str(kind).startswith("data-") else None)
    if schema is None:
        raise AssertionError(f"unknown chunk type {kind!r}")
    jsonschema.validate(chunk, schema)


def check_sequence(chunks: list[dict[str, Any]]) -> None:
    """Text deltas only inside an open part; tool outputs only after their inputs."""
    open_text: str | None = None
    tools: set[str] = set()
    assert chunks[0]["type"] == "start", chunks[0]
    for chunk in chunks:
        kind = chunk["type"]
        if kind == "text-start":
            assert open_text is None, "a text part opened inside another"
            open_text = chunk["id"]
        elif kind in ("text-delta", "text-end"):
            assert open_text == chunk["id"], f"{kind} outside its part"
            if kind == "text-end":
                open_text = None
        else:
            assert open_text is None, f"{kind} while a text part is open"
        if kind == "tool-input-available":
            tools.add(chunk["toolCallId"])
        if kind == "tool-output-available":
            assert chunk["toolCallId"] in tools
    assert chunks[-1]["type"] == "finish"
