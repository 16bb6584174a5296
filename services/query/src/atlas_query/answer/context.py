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
    _held: list[StreamEvent] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        # Every event sent through the context goes after the held ones, in the same write.
        self._sink = self.emit
        self.emit = self._emit

    def hold(self, event: StreamEvent) -> None:
        """Send ``event`` with the next one: for an event followed at once by more, with no
        waiting between (the plan, a result and its chart), so they share one Redis round trip
        (issue 23). Sent at once when events are not batched (fault tests pace every step)."""
        self._held.append(event)

    async def flush(self) -> None:
        """Send what is held (the answer ended, or failed, right after holding it)."""
        if self._held:
            await self._send([])

    async def _emit(self, event: StreamEvent) -> int:
        if not self._held and not self._batching():
            return await self._sink(event)
        if not self._batching():
            await self.flush()
            return await self._sink(event)
        return (await self._send([event]))[-1]

    async def _send(self, events: list[StreamEvent]) -> list[int]:
        batch, self._held = [*self._held, *events], []
        if self.emit_many is None:
            return [await self._sink(e) for e in batch]
        return await self.emit_many(batch)

    def _batching(self) -> bool:
        return self.emit_many is not None and not self.token_delay_s

    async def _hold_or_send(self, event: StreamEvent) -> None:
        if self._batching():
            self.hold(event)
        else:
            await self.emit(event)

    async def status(self, message: str, stage: str | None = None, *, hold: bool = False) -> None:
        """A status; ``hold`` when more follows at once (see :meth:`hold`)."""
        event = StatusEvent(message=message, stage=stage)
        if hold:
            await self._hold_or_send(event)
        else:
            await self.emit(event)
        if self.token_delay_s:  # fault tests slow every step, so "before the SQL" is a window
            await asyncio.sleep(self.token_delay_s)

    async def execute_sql(self, sql: str) -> dict[str, Any]:
        """Run SQL as the ``executeSQL`` tool: a tool-call event, the guard, a tool-result (held:
        a chart and the narrative follow at once)."""
        call_id = f"call-{uuid.uuid4().hex[:12]}"
        self.steps += 1
        await self.emit(ToolCallEvent(tool_call_id=call_id, name="executeSQL", input={"sql": sql}))
        result = await self.run_sql(sql, self.job)
        await self._hold_or_send(
            ToolResultEvent(tool_call_id=call_id, name="executeSQL", output=result))
        return result

    async def chart(
        self, kind: ChartKind, x: str | None = None, y: list[str] | None = None
    ) -> None:
        await self._hold_or_send(ChartEvent(chart=kind, x=x, y=y or []))

    async def say(self, text: str) -> None:
        """Stream ``text`` as one text part, a token (word and its spacing) per event."""
        self._text_parts += 1
        part_id = f"text-{self.attempt}-{self._text_parts}"
        tokens: list[StreamEvent] = [
            TextDeltaEvent(part_id=part_id, delta=t) for t in _TOKENS.findall(text)]
        if self._batching():
            # The whole text is known: its tokens go in one write (with what is held), still
            # one event (and one frame) each; the first token is not held back by the rest.
            await self._send(tokens)
            return
        for token in tokens:
            await self.emit(token)
            if self.token_delay_s:
                await asyncio.sleep(self.token_delay_s)


class Answerer(Protocol):
    async def answer(self, ctx: AnswerContext) -> None: ...
