"""Reading an SSE response as a client would: frames with their ids, comments apart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass
class SseFrame:
    id: str | None
    data: str

    @property
    def json(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.data)
        return value

    @property
    def type(self) -> str:
        return "[DONE]" if self.data == "[DONE]" else str(self.json.get("type"))


def parse_sse(lines: Iterator[str]) -> Iterator[SseFrame]:
    frame_id: str | None = None
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith(":"):
            continue
        if line.startswith("id:"):
            frame_id = line[3:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and data:
            yield SseFrame(frame_id, "\n".join(data))
            frame_id, data = None, []
