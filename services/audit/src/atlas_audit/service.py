"""The audit log's reads: the list (keyset or offset pages), the stats and the CSV export.

Every read is scoped to the caller's workspace (``AuditFilter.workspace_id``) and refused to
anyone but an admin, whatever the gateway checked.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from atlas_audit import repository
from atlas_audit.filters import AuditFilter, decode_cursor, encode_cursor
from atlas_common.errors import ForbiddenRole
from atlas_common.principal import Principal
from atlas_common.wire.audit import (
    EXPORT_MAX_ROWS,
    TOTAL_EXACT_MAX,
    AuditLogEntry,
    AuditLogResponse,
    AuditStats,
    DayCount,
    QuestionCount,
    TableCount,
)

STATS_DEFAULT_DAYS = 30
TOP = 10
EXPORT_COLUMNS = ("id", "timestamp", "userId", "kind", "action", "surface", "outcome",
                  "success", "question", "sql", "tables", "durationMs", "rowCount", "errorCode",
                  "error", "tokens", "conversationId", "requestId", "role", "authMode",
                  "targetId", "details")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def require_admin(caller: Principal) -> None:
    if caller.role != "admin":
        raise ForbiddenRole("The audit log needs the admin role")


def entry_of(row: asyncpg.Record) -> AuditLogEntry:
    details = row["details"]
    details = json.loads(details) if isinstance(details, str) else (details or {})
    if row["kind"] == "question":
        details = {**details, "answeredBy": row["answered_by"],
                   "credentialId": row["credential_id"]}
    return AuditLogEntry(
        id=row["event_id"], timestamp=row["occurred_at"].astimezone(UTC).isoformat(),
        user_id=row["user_id"], auth_mode=row["auth_mode"], sql=row["sql"],
        duration_ms=row["duration_ms"], row_count=row["row_count"],
        success=row["outcome"] != "error", error=row["error_message"],
        source_id=row["datasource"] or "default", kind=row["kind"], action=row["action"],
        surface=row["surface"], question=row["question"], outcome=row["outcome"],
        error_code=row["error_code"], tokens=row["tokens"],
        conversation_id=row["conversation_id"], request_id=row["request_id"],
        tables=list(row["tables"]), role=row["role"], target_id=row["target_id"],
        details=details)


class AuditService:
    def __init__(self, pool: asyncpg.Pool, count_budget_ms: int) -> None:
        self._pool = pool
        self._count_budget_ms = count_budget_ms

    async def page(self, where: AuditFilter, limit: int, offset: int,
                   cursor: str | None) -> AuditLogResponse:
        after = decode_cursor(cursor) if cursor else None
        # The page and the capped count on two connections at once: the count is often the
        # slower (it reads up to 10,001 matching rows where the page reads limit + 1).
        rows, (total, estimate) = await asyncio.gather(
            repository.list_events(self._pool, where, limit + 1, offset, after),
            repository.count_events(self._pool, where, TOTAL_EXACT_MAX,
                                    self._count_budget_ms))
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = (encode_cursor(rows[-1]["occurred_at"], rows[-1]["event_id"])
                       if more and rows else None)
        return AuditLogResponse(rows=[entry_of(r) for r in rows], total=total,
                                total_is_estimate=estimate, limit=limit,
                                offset=0 if after else offset, next_cursor=next_cursor)

    async def stats(self, where: AuditFilter) -> AuditStats:
        if where.since is None and where.until is None:
            until = datetime.now(UTC)
            where = AuditFilter(where.workspace_id, since=until - timedelta(
                days=STATS_DEFAULT_DAYS))
        questions = AuditFilter(where.workspace_id, kind="question", since=where.since,
                                until=where.until)
        db = self._pool
        # Independent scans of the same rows: on separate connections at once.
        totals, counts, top_q, top_t = await asyncio.gather(
            repository.question_totals(db, questions), repository.breakdown(db, questions),
            repository.top_questions(db, questions, TOP),
            repository.top_tables(db, questions, TOP))
        total, errors = int(totals["total"]), int(totals["errors"])
        return AuditStats(
            total_queries=total, total_errors=errors,
            error_rate=errors / total if total else 0.0,
            queries_per_day=[DayCount(day=day.isoformat(), count=count, errors=errs)
                             for day, count, errs in counts.per_day],
            p95_duration_ms=totals["p95"], active_users=int(totals["users"]),
            by_surface=counts.by_surface, by_outcome=counts.by_outcome,
            top_questions=[QuestionCount(question=r["question"], count=r["count"])
                           for r in top_q],
            top_tables=[TableCount(table=r["table"], count=r["count"]) for r in top_t])

    async def export_truncated(self, where: AuditFilter) -> bool:
        return await repository.has_more_than(self._pool, where, EXPORT_MAX_ROWS)

    async def export_csv(self, where: AuditFilter) -> AsyncIterator[str]:
        """The CSV, a chunk of rows at a time, read through a server-side cursor."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        async with self._pool.acquire() as conn, conn.transaction(readonly=True):
            count = 0
            async for row in repository.stream_events(conn, where, EXPORT_MAX_ROWS):
                writer.writerow(csv_cells(entry_of(row)))
                count += 1
                if count % 500 == 0:
                    yield _drain(buffer)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def formula_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if isinstance(value, str) else (
        json.dumps(value) if isinstance(value, dict | list) else str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_cells(entry: AuditLogEntry) -> list[str]:
    body = entry.model_dump(by_alias=True)
    body["tables"] = " ".join(entry.tables)
    return [formula_safe(body[column]) for column in EXPORT_COLUMNS]
