"""A run's answer, read from its stream: the text, the SQL, the rows, or why there is none.

Only the last attempt counts (a ``restart`` starts over). A run succeeds when a query ran and
the answer ended with ``done``; an answer with no query (the planner declined, or asked which
of several things was meant) is a failure whose reason is the answer's own text, and an
``error`` event is a failure with its code and message: nothing is delivered for either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atlas_common.stream import Heartbeat, StreamHub
from atlas_common.stream_events import StreamEvent
from atlas_scheduler.delivery.contract import Answer

SQL_TOOL = "executeSQL"
MAX_REASON = 2000


@dataclass
class Collected:
    conversation_id: str | None
    question: str = ""
    text: list[str] = field(default_factory=list)
    sql: str | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    truncated: bool = False
    queried: bool = False
    tokens: int | None = None
    error: str | None = None
    finished: bool = False
    #: Events the worker wrote (a taken-over run with none: the scheduler lost it).
    events: int = 0

    def add(self, event: StreamEvent) -> None:
        if event.type != "error":  # a deadline or a lost stream is an error the listener makes
            self.events += 1
        match event.type:
            case "restart":
                self.text, self.sql, self.columns, self.rows = [], None, [], []
                self.queried = False
            case "text-delta":
                self.text.append(event.delta)
            case "tool-call" if event.name == SQL_TOOL:
                self.sql = str(event.input.get("sql", "")) or None
            case "tool-result" if event.name == SQL_TOOL:
                self._result(event.output)
            case "usage":
                self.tokens = event.total_tokens
            case "done":
                self.finished = True
                self.conversation_id = event.conversation_id or self.conversation_id
            case "error":
                self.error = f"{event.code}: {event.message}"

    def _result(self, output: dict[str, Any]) -> None:
        self.queried = "error" not in output
        self.columns = [str(c) for c in output.get("columns", [])]
        rows = output.get("rows", [])
        self.rows = [list(r) if isinstance(r, list | tuple) else [r] for r in rows] if isinstance(
            rows, list) else []
        self.truncated = bool(output.get("truncated", False))

    @property
    def narrative(self) -> str:
        return "".join(self.text).strip()

    def failure(self) -> str | None:
        """Why the run failed, or None when it succeeded."""
        if self.error is not None:
            return self.error[:MAX_REASON]
        if not self.finished:
            return "The answer ended before it was complete"
        if not self.queried:
            return f"Not answered: {self.narrative or 'no query was run'}"[:MAX_REASON]
        return None

    def answer(self) -> Answer:
        return Answer(question=self.question, conversation_id=self.conversation_id,
                      narrative=self.narrative, sql=self.sql, columns=self.columns,
                      rows=self.rows, truncated=self.truncated)


async def collect(hub: StreamHub, request_id: str, conversation_id: str | None,
                  deadline: float) -> Collected:
    """Read the stream (its replay buffer first) until it ends or ``deadline`` passes."""
    collected = Collected(conversation_id)
    async with hub.listen(request_id) as listener:
        async for item in listener.events(deadline=deadline, idle_s=5.0):
            if not isinstance(item, Heartbeat):
                collected.add(item)
    return collected
