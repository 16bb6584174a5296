"""The audit trail's record of one question: ``query.answered``, published once per request.

What the record holds is gathered while the answer runs: the SQL runner notes each statement as
the guard rewrote it (row-level security, the automatic LIMIT) before it runs, with the tables
it reads and the rows it returned (:func:`statement_checked`, :func:`rows_returned`); the job
runner notes how the stream ended. The trail of a job lives in a context variable set inside
the job's answer task only, so concurrent jobs never see each other's statements and the
answerers' signatures stay as they are.

The event id and ``occurred_at`` derive from the job alone (its request id, its publish time),
never from the attempt: a redelivered job that answers again publishes the same event, and the
audit service keeps one row (its key is the event id and the time).

Publishing never fails an answer: the stream has already ended when it happens; a failure is
one log line and :data:`PUBLISH_FAILURES`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from prometheus_client import Counter

from atlas_common.messages import BusMessage, Outcome, QueryAnswered, QueryRequested
from atlas_common.stream_events import (
    ClarificationEvent,
    StreamEvent,
    SuggestionsEvent,
    UsageEvent,
)

log = logging.getLogger(__name__)

Publish = Callable[[BusMessage], Awaitable[None]]
T = TypeVar("T")

PUBLISH_FAILURES: Final = Counter(
    "atlas_audit_publish_failures_total",
    "query.answered events a worker could not publish (the answer went on; the record is lost).",
)
#: An error message longer than this is cut: the record is a line of the trail, not a log.
ERROR_MESSAGE_MAX: Final = 500
_NAMESPACE: Final = uuid.NAMESPACE_URL


def answered_event_id(request_id: str) -> str:
    """The same id for every attempt at one request: the audit consumer's deduplication."""
    return uuid.uuid5(_NAMESPACE, f"atlas:query.answered:{request_id}").hex


@dataclass
class AuditTrail:
    """What one job did, as the audit trail records it."""

    job: QueryRequested
    started: float = field(default_factory=time.monotonic)
    sql: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    #: Rows returned, summed over every statement that returned; None when none did.
    row_count: int | None = None
    tokens: int = 0
    clarified: bool = False
    declined: bool = False

    def seen(self, event: StreamEvent) -> None:
        """An event the answer streamed out (the turn recorder hands every one over)."""
        if isinstance(event, UsageEvent):
            self.tokens += event.total_tokens
        elif isinstance(event, ClarificationEvent):
            self.clarified = True
        elif isinstance(event, SuggestionsEvent):
            self.declined = True

    def checked(self, sql: str, tables: list[str]) -> None:
        self.sql.append(sql)
        for table in tables:
            name = table.rsplit(".", 1)[-1].strip('"`[]').lower()
            if name not in self.tables:
                self.tables.append(name)

    def returned(self, rows: int) -> None:
        self.row_count = (self.row_count or 0) + rows

    def completed(self) -> Outcome:
        """How an answer that ran to its end ended: a clarifying question, an honest "can't
        answer" (suggestions and no statement run), or an answer."""
        if self.clarified:
            return "clarification"
        if self.declined and self.row_count is None:
            return "not_understood"
        return "answered"

    def event(self, outcome: Outcome, error_code: str | None = None,
              error_message: str | None = None) -> QueryAnswered:
        job, principal = self.job, self.job.principal
        return QueryAnswered(
            event_id=answered_event_id(job.request_id),
            occurred_at=job.occurred_at,
            request_id=job.request_id,
            user_id=principal.user_id,
            workspace_id=principal.workspace_id,
            role=principal.role,
            auth_mode=principal.auth_mode,
            credential_id=principal.credential_id,
            surface=job.surface,
            conversation_id=job.conversation_id,
            question=job.question,
            sql=tuple(self.sql),
            tables=tuple(self.tables),
            row_count=self.row_count,
            duration_ms=round((time.monotonic() - self.started) * 1000),
            outcome=outcome,
            error_code=error_code,
            error_message=error_message[:ERROR_MESSAGE_MAX] if error_message else None,
            tokens=self.tokens,
            answered_by="agent" if self.tokens else "semantic",
        )


_CURRENT: ContextVar[AuditTrail | None] = ContextVar("atlas_audit_trail", default=None)


async def traced(trail: AuditTrail, answer: Coroutine[Any, Any, T]) -> T:
    """Run ``answer`` (as its task's coroutine) with ``trail`` as the trail its SQL goes to."""
    _CURRENT.set(trail)  # the task's own copy of the context: no other job sees it
    return await answer


def statement_checked(sql: str, tables: list[str]) -> None:
    """The guard passed a statement: ``sql`` is what is about to run."""
    trail = _CURRENT.get()
    if trail is not None:
        trail.checked(sql, tables)


def rows_returned(rows: int) -> None:
    trail = _CURRENT.get()
    if trail is not None:
        trail.returned(rows)


async def publish_answered(publish: Publish | None, event: QueryAnswered) -> None:
    """Publish the record; a failure is logged and counted, never raised."""
    if publish is None:
        return
    try:
        await publish(event)
    except Exception as exc:  # the answer has ended: nothing here may fail the job
        PUBLISH_FAILURES.inc()
        log.warning("query.answered not published: %s", type(exc).__name__,
                    extra={"request_id": event.request_id})
