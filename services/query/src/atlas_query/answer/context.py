"""What an answerer gets: the question, who asks, the tools to run SQL, and the event sink."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from atlas_common.messages import QueryRequested
from atlas_common.stream_events import (
    ChartEvent,
    ChartKind,
    StatusEvent,
    StreamEvent,
    TextDeltaEvent,
    ToolCallEvent,
    ToolResultEvent,
)

Emit = Callable[[StreamEvent], Awaitable[int]]
EmitMany = Callable[[list[StreamEvent]], Awaitable[list[int]]]
_TOKENS = re.compile(r"\S+\s*|\s+")


class SqlRunner(Protocol):
    """Checks SQL with the guard and runs it; raises an AtlasError when refused or failed."""

    async def __call__(self, sql: str, job: QueryRequested) -> dict[str, Any]: ...


@dataclass
class AnswerContext:
    job: QueryRequested
    emit: Emit
    run_sql: SqlRunner
    attempt: int = 1
    token_delay_s: float = 0.0
    #: Writes events produced together in one stream write (one Redis round trip).
    emit_many: EmitMany | None = None
    steps: int = 0
    _text_parts: int = field(default=0, init=False)

    async def status(self, message: str, stage: str | None = None) -> None:
        await self.emit(StatusEvent(message=message, stage=stage))
        if self.token_delay_s:  # fault tests slow every step, so "before the SQL" is a window
            await asyncio.sleep(self.token_delay_s)

    async def execute_sql(self, sql: str) -> dict[str, Any]:
        """Run SQL as the ``executeSQL`` tool: a tool-call event, the guard, a tool-result."""
        call_id = f"call-{uuid.uuid4().hex[:12]}"
        self.steps += 1
        await self.emit(ToolCallEvent(tool_call_id=call_id, name="executeSQL", input={"sql": sql}))
        result = await self.run_sql(sql, self.job)
        await self.emit(ToolResultEvent(tool_call_id=call_id, name="executeSQL", output=result))
        return result

    async def chart(
        self, kind: ChartKind, x: str | None = None, y: list[str] | None = None
    ) -> None:
        await self.emit(ChartEvent(chart=kind, x=x, y=y or []))

    async def say(self, text: str) -> None:
        """Stream ``text`` as one text part, a token (word and its spacing) per event."""
        self._text_parts += 1
        part_id = f"text-{self.attempt}-{self._text_parts}"
        tokens: list[StreamEvent] = [
            TextDeltaEvent(part_id=part_id, delta=t) for t in _TOKENS.findall(text)]
        if self.emit_many is not None and not self.token_delay_s:
            # The whole text is known: its tokens go in one write, still one event (and one
            # frame) each; the first token is not held back by the rest.
            await self.emit_many(tokens)
            return
        for token in tokens:
            await self.emit(token)
            if self.token_delay_s:
                await asyncio.sleep(self.token_delay_s)


class Answerer(Protocol):
    async def answer(self, ctx: AnswerContext) -> None: ...
