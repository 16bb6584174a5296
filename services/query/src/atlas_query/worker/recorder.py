"""Watches what an answer streams out, so the turn can be stored as the client saw it."""

from __future__ import annotations

import time

from atlas_common.messages import QueryRequested
from atlas_common.metrics import FIRST_TOKEN
from atlas_common.stream_events import (
    StreamEvent,
    TextDeltaEvent,
    ToolCallEvent,
    ToolResultEvent,
    UsageEvent,
)
from atlas_common.tracing import step
from atlas_query.answer.context import Emit, EmitMany
from atlas_query.conversations.models import Turn
from atlas_query.worker.audit import AuditTrail

#: Redis pub/sub plus the replay buffer: a stream write, as a messaging publish.
_STREAM_PUBLISH = {"messaging.system": "redis", "messaging.operation.type": "publish"}


class TurnRecorder:
    def __init__(self, emit: Emit, job: QueryRequested, emit_many: EmitMany | None = None,
                 trail: AuditTrail | None = None) -> None:
        self._emit = emit
        self._trail = trail
        self._emit_many = emit_many
        self.turn = Turn(request_id=job.request_id, question=job.question)
        self.usage_sent = False
        self._asked_at = job.occurred_at.timestamp()  # the publish: time to first token

    async def emit(self, event: StreamEvent) -> int:
        with step("stream publish", _STREAM_PUBLISH):
            seq = await self._emit(event)
        self._record(event)
        return seq

    async def emit_many(self, events: list[StreamEvent]) -> list[int]:
        if self._emit_many is None:
            return [await self.emit(event) for event in events]
        with step("stream publish", _STREAM_PUBLISH):
            seqs = await self._emit_many(events)
        for event in events:
            self._record(event)
        return seqs

    def _record(self, event: StreamEvent) -> None:
        if self._trail is not None:
            self._trail.seen(event)
        if isinstance(event, TextDeltaEvent):
            if not self.turn.answer:
                FIRST_TOKEN.observe(max(0.0, time.time() - self._asked_at))
            self.turn.answer += event.delta
        elif isinstance(event, ToolCallEvent) and event.name == "executeSQL":
            self.turn.sql.append(str(event.input.get("sql", "")))
        elif isinstance(event, ToolResultEvent) and event.name == "executeSQL":
            self.turn.results.append(event.output)
        elif isinstance(event, UsageEvent):
            self.usage_sent = True
