"""The audit log (``/api/v1/admin/audit``, ``/audit/stats``): the bodies the audit service
answers and the gateway relays and documents.

Upstream ``AuditLogEntry``'s fields come first (``id`` .. ``targetHost``), then ours: the kind
of record (a question or a change), how the question ended, and what a change was about.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from atlas_common.wire import WireModel

AuditKind = Literal["question", "change"]

#: Rows an export holds at most; a longer result is cut and says so (``x-atlas-truncated``).
EXPORT_MAX_ROWS = 100_000
#: ``total`` is exact up to this many rows, then an estimate (``totalIsEstimate``).
TOTAL_EXACT_MAX = 10_000


class AuditLogEntry(WireModel):
    id: str = Field(description="The event id (idempotency key of the record).")
    timestamp: str = Field(description="When it happened, ISO 8601 UTC.")
    user_id: str | None = Field(description="Who asked, or who made the change.")
    user_label: str | None = None
    auth_mode: str | None = None
    sql: str = Field(description='Statements as they ran, joined with ";\\n"; "" for none.')
    duration_ms: int | None = None
    row_count: int | None = None
    success: bool = Field(description='outcome != "error".')
    error: str | None = None
    source_id: str = "default"
    source_type: str | None = None
    target_host: str | None = None
    kind: AuditKind
    action: str = Field(description='"query.answered", "key.created", "key.revoked", ...')
    surface: str | None = None
    question: str | None = None
    outcome: str | None = None
    error_code: str | None = None
    tokens: int | None = None
    conversation_id: str | None = None
    request_id: str | None = None
    tables: list[str] = Field(default_factory=list)
    role: str | None = None
    target_id: str | None = Field(None, description="Key or user id a change is about.")
    details: dict[str, Any] = Field(default_factory=dict)


class AuditLogResponse(WireModel):
    rows: list[AuditLogEntry]
    total: int
    total_is_estimate: bool = False
    limit: int
    offset: int
    next_cursor: str | None = Field(
        None, description="Opaque; pass as `cursor` for the next (older) page. Null at the end.")


class DayCount(WireModel):
    day: str = Field(description="YYYY-MM-DD (UTC).")
    count: int
    errors: int


class QuestionCount(WireModel):
    question: str
    count: int


class TableCount(WireModel):
    table: str
    count: int


class AuditStats(WireModel):
    total_queries: int
    total_errors: int
    error_rate: float = Field(description="0..1")
    queries_per_day: list[DayCount]
    p95_duration_ms: float | None
    active_users: int
    by_surface: dict[str, int]
    by_outcome: dict[str, int]
    top_questions: list[QuestionCount]
    top_tables: list[TableCount]
