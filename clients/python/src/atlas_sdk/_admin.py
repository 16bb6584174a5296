"""The admin console over the API (``/api/v1/admin/*``, admin role only): the audit trail,
its figures and CSV export, the overview, the datasources and the workspace's plan.

The models (upstream Atlas's shapes, camelCase on the wire; Atlas's fields after upstream's)
and the :class:`~atlas_sdk._base.Call` of each method, shared by the sync and async clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict

from atlas_sdk import _base as b
from atlas_sdk._models import JSON, _dict, _int, _list, _opt_str, _str, _time

__all__ = [
    "AdminOverview",
    "AuditEntry",
    "AuditExport",
    "AuditPage",
    "AuditStats",
    "ConnectionHealth",
    "ConnectionInfo",
    "PlanFeature",
    "PlanSnapshot",
]

BASE = "/api/v1/admin"
#: A ``from`` / ``to`` bound: an ISO 8601 string, a date (``to``: inclusive) or a datetime.
When = str | date | datetime


def _opt_int(value: object) -> int | None:
    return _int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _opt_float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _float(value: object) -> float:
    found = _opt_float(value)
    return 0.0 if found is None else found


def _counts(value: object) -> dict[str, int]:
    return {str(k): _int(v) for k, v in _dict(value).items()}


@dataclass(frozen=True)
class AuditEntry:
    """One audited event: ``kind`` ``question`` (``action`` ``query.answered``) or ``change``
    (``key.created``, ``key.revoked``, ``user.created``, ``user.role_changed``...)."""

    id: str
    timestamp: datetime | None
    user_id: str | None
    kind: str
    action: str
    success: bool
    #: The statements run (after row-level security and LIMIT), joined by ``";\\n"``.
    sql: str
    #: None for a change.
    duration_ms: int | None
    row_count: int | None
    error: str | None
    question: str | None = None
    outcome: str | None = None
    surface: str | None = None
    error_code: str | None = None
    tokens: int | None = None
    conversation_id: str | None = None
    request_id: str | None = None
    tables: list[str] = field(default_factory=list)
    role: str | None = None
    auth_mode: str | None = None
    target_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> AuditEntry:
        return cls(
            id=_str(d.get("id")),
            timestamp=_time(d.get("timestamp")),
            user_id=_opt_str(d.get("userId")),
            kind=_str(d.get("kind")),
            action=_str(d.get("action")),
            success=bool(d.get("success")),
            sql=_str(d.get("sql")),
            duration_ms=_opt_int(d.get("durationMs")),
            row_count=_opt_int(d.get("rowCount")),
            error=_opt_str(d.get("error")),
            question=_opt_str(d.get("question")),
            outcome=_opt_str(d.get("outcome")),
            surface=_opt_str(d.get("surface")),
            error_code=_opt_str(d.get("errorCode")),
            tokens=_opt_int(d.get("tokens")),
            conversation_id=_opt_str(d.get("conversationId")),
            request_id=_opt_str(d.get("requestId")),
            tables=[str(t) for t in _list(d.get("tables"))],
            role=_opt_str(d.get("role")),
            auth_mode=_opt_str(d.get("authMode")),
            target_id=_opt_str(d.get("targetId")),
            details=_dict(d.get("details")),
            raw=dict(d),
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)


@dataclass(frozen=True)
class AuditPage:
    """A page, newest first; pass ``next_cursor`` as ``cursor`` for the next (None: the last).
    ``total`` is an estimate when ``total_is_estimate`` (past 10,000 rows)."""

    rows: list[AuditEntry]
    total: int
    limit: int
    offset: int
    next_cursor: str | None
    total_is_estimate: bool = False

    @classmethod
    def from_json(cls, d: JSON) -> AuditPage:
        rows = [AuditEntry.from_json(r) for r in _list(d.get("rows")) if isinstance(r, Mapping)]
        return cls(
            rows=rows,
            total=_int(d.get("total"), len(rows)),
            limit=_int(d.get("limit")),
            offset=_int(d.get("offset")),
            next_cursor=_opt_str(d.get("nextCursor")),
            total_is_estimate=bool(d.get("totalIsEstimate")),
        )


@dataclass(frozen=True)
class AuditStats:
    """Figures of the questions over a period: per day, by surface and outcome, the top
    questions and tables. ``error_rate`` is in [0, 1]."""

    total_queries: int
    total_errors: int
    error_rate: float
    queries_per_day: list[dict[str, Any]]
    p95_duration_ms: float | None
    active_users: int
    by_surface: dict[str, int]
    by_outcome: dict[str, int]
    top_questions: list[dict[str, Any]]
    top_tables: list[dict[str, Any]]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> AuditStats:
        return cls(
            total_queries=_int(d.get("totalQueries")),
            total_errors=_int(d.get("totalErrors")),
            error_rate=_float(d.get("errorRate")),
            queries_per_day=[_dict(x) for x in _list(d.get("queriesPerDay"))],
            p95_duration_ms=_opt_float(d.get("p95DurationMs")),
            active_users=_int(d.get("activeUsers")),
            by_surface=_counts(d.get("bySurface")),
            by_outcome=_counts(d.get("byOutcome")),
            top_questions=[_dict(x) for x in _list(d.get("topQuestions"))],
            top_tables=[_dict(x) for x in _list(d.get("topTables"))],
            raw=dict(d),
        )


@dataclass(frozen=True)
class AuditExport:
    """The CSV export: ``csv`` is its text, or None when it was written to a file object;
    ``truncated`` when the server cut it at its row cap."""

    csv: str | None
    truncated: bool
    filename: str | None
    bytes_written: int


@dataclass(frozen=True)
class PlanFeature:
    key: str
    kind: str
    enabled: bool
    limit: int | None
    used: int | None
    resets_at: datetime | None


@dataclass(frozen=True)
class PlanSnapshot:
    """The workspace's plan and its use; ``unlimited`` when the server has no plans file."""

    plan: str | None
    features: list[PlanFeature]
    workspace_id: str | None = None
    unlimited: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> PlanSnapshot:
        features = [_feature(f) for f in _list(d.get("features")) if isinstance(f, Mapping)]
        return cls(
            plan=_opt_str(d.get("plan")),
            features=features,
            workspace_id=_opt_str(d.get("workspaceId")),
            unlimited=bool(d.get("unlimited")),
            raw=dict(d),
        )


def _feature(d: JSON) -> PlanFeature:
    return PlanFeature(
        key=_str(d.get("key")),
        kind=_str(d.get("kind")),
        enabled=bool(d.get("enabled")),
        limit=_opt_int(d.get("limit")),
        used=_opt_int(d.get("used")),
        resets_at=_time(d.get("resetsAt")),
    )


@dataclass(frozen=True)
class AdminOverview:
    """Upstream's counts, plus the audit trail's last 30 days (``questions``) and the plan.
    A part that could not be read is None (then ``partial`` is true)."""

    connections: int | None
    entities: int | None
    metrics: int | None
    glossary_terms: int | None
    questions: dict[str, Any] | None
    plan: PlanSnapshot | None
    partial: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> AdminOverview:
        plan, questions = d.get("plan"), d.get("questions")
        return cls(
            connections=_opt_int(d.get("connections")),
            entities=_opt_int(d.get("entities")),
            metrics=_opt_int(d.get("metrics")),
            glossary_terms=_opt_int(d.get("glossaryTerms")),
            questions=_dict(questions) if isinstance(questions, Mapping) else None,
            plan=PlanSnapshot.from_json(plan) if isinstance(plan, Mapping) else None,
            partial=bool(d.get("partial")),
            raw=dict(d),
        )


@dataclass(frozen=True)
class ConnectionHealth:
    """``status``: healthy, degraded or unhealthy; ``read_only``: the datasource refuses writes."""

    status: str
    latency_ms: float
    checked_at: datetime | None
    message: str | None = None
    read_only: bool | None = None

    @classmethod
    def from_json(cls, d: JSON) -> ConnectionHealth:
        read_only = d.get("readOnly")
        return cls(
            status=_str(d.get("status")),
            latency_ms=_float(d.get("latencyMs")),
            checked_at=_time(d.get("checkedAt")),
            message=_opt_str(d.get("message")),
            read_only=read_only if isinstance(read_only, bool) else None,
        )


@dataclass(frozen=True)
class ConnectionInfo:
    id: str
    db_type: str
    description: str | None
    health: ConnectionHealth | None
    #: host[:port] or the file name, never a credential.
    host: str | None = None

    @classmethod
    def from_json(cls, d: JSON) -> ConnectionInfo:
        health = d.get("health")
        return cls(
            id=_str(d.get("id")),
            db_type=_str(d.get("dbType")),
            description=_opt_str(d.get("description")),
            health=ConnectionHealth.from_json(health) if isinstance(health, Mapping) else None,
            host=_opt_str(d.get("host")),
        )


def connections_from_json(d: JSON) -> list[ConnectionInfo]:
    items = _list(d.get("connections"))
    return [ConnectionInfo.from_json(c) for c in items if isinstance(c, Mapping)]


# The calls.


class AuditFilters(TypedDict, total=False):
    """The audit filters, keyword arguments of ``audit``, ``audit_pages`` and ``audit_export``."""

    user: str | None
    surface: str | None
    outcome: str | None
    success: bool | None
    kind: str | None
    action: str | None
    table: str | None
    since: When | None
    until: When | None
    q: str | None


def filter_params(
    *,
    user: str | None = None,
    surface: str | None = None,
    outcome: str | None = None,
    success: bool | None = None,
    kind: str | None = None,
    action: str | None = None,
    table: str | None = None,
    since: When | None = None,
    until: When | None = None,
    q: str | None = None,
) -> dict[str, Any]:
    """The query string of the audit filters given (``since`` / ``until`` are ``from`` / ``to``)."""
    values: dict[str, Any] = {
        "user": user,
        "surface": surface,
        "outcome": outcome,
        "success": None if success is None else ("true" if success else "false"),
        "kind": kind,
        "action": action,
        "table": table,
        "from": _iso(since),
        "to": _iso(until),
        "q": q,
    }
    return {k: v for k, v in values.items() if v is not None}


def _iso(value: When | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def audit_call(
    filters: dict[str, Any], limit: int | None, offset: int | None, cursor: str | None
) -> b.Call:
    params = dict(filters)
    if limit is not None:
        params["limit"] = limit
    if cursor is not None:
        params["cursor"] = cursor
    elif offset is not None:
        params["offset"] = offset
    return b.Call("GET", f"{BASE}/audit", params=params or None, idempotent=True)


def stats_call(since: When | None, until: When | None) -> b.Call:
    params = filter_params(since=since, until=until)
    return b.Call("GET", f"{BASE}/audit/stats", params=params or None, idempotent=True)


def export_call(filters: dict[str, Any]) -> b.Call:
    return b.Call("GET", f"{BASE}/audit/export", params=filters or None, idempotent=True)


def get_call(path: str) -> b.Call:
    return b.Call("GET", f"{BASE}/{path}", idempotent=True)


def connection_test_call(connection_id: str) -> b.Call:
    return b.Call("POST", f"{BASE}/connections/{b.segment(connection_id)}/test", json={})


def export_filename(disposition: str | None) -> str | None:
    """The ``filename="..."`` of a Content-Disposition header."""
    if not disposition or "filename=" not in disposition:
        return None
    return disposition.split("filename=", 1)[1].split(";", 1)[0].strip().strip('"') or None
