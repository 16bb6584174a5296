"""The Python SDK's admin models and calls, and the ``atlas audit`` CLI's own parsing (no stack:
the wire against the real gateway and audit service is in test_sdk_admin.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from atlas_cli.commands.audit import _when
from atlas_sdk import AdminOverview, AuditEntry, AuditPage, AuditStats, ConnectionInfo
from atlas_sdk._admin import (
    audit_call,
    connection_test_call,
    export_call,
    export_filename,
    filter_params,
    stats_call,
)

from tests.clients.cli import atlas
from tests.support.stack import free_port

QUESTION_ROW = {
    "id": "e-1",
    "timestamp": "2026-12-07T10:00:00+00:00",
    "userId": "u-1",
    "userLabel": None,
    "authMode": "managed",
    "sql": "SELECT 1;\nSELECT 2",
    "durationMs": 12,
    "rowCount": 1,
    "success": False,
    "error": "boom",
    "sourceId": "default",
    "sourceType": "duckdb",
    "targetHost": None,
    "kind": "question",
    "action": "query.answered",
    "surface": "mcp",
    "question": "How many users?",
    "outcome": "error",
    "errorCode": "internal_error",
    "tokens": 7,
    "conversationId": "c-1",
    "requestId": "r-1",
    "tables": ["users"],
    "role": "admin",
    "targetId": None,
    "details": {},
    "addedLater": 1,
}
CHANGE_ROW = {
    **QUESTION_ROW,
    "id": "e-2",
    "kind": "change",
    "action": "key.revoked",
    "durationMs": None,
    "rowCount": None,
    "targetId": "k-1",
    "success": True,
}


def test_a_page_parses_questions_and_changes_and_keeps_the_raw_json() -> None:
    page = AuditPage.from_json(
        {
            "rows": [QUESTION_ROW, CHANGE_ROW, "junk"],
            "total": 12000,
            "totalIsEstimate": True,
            "limit": 2,
            "offset": 0,
            "nextCursor": "abc",
        }
    )
    question, change = page.rows
    assert (page.total, page.total_is_estimate, page.next_cursor) == (12000, True, "abc")
    assert question.timestamp == datetime(2026, 12, 7, 10, tzinfo=UTC)
    assert (question.outcome, question.error_code, question.tables) == (
        "error",
        "internal_error",
        ["users"],
    )
    assert question.to_dict()["addedLater"] == 1
    assert (change.duration_ms, change.row_count, change.target_id) == (None, None, "k-1")
    assert AuditEntry.from_json({}).tables == []


def test_stats_overview_and_connections_tolerate_nulls() -> None:
    stats = AuditStats.from_json(
        {
            "totalQueries": 3,
            "totalErrors": 1,
            "errorRate": 1 / 3,
            "p95DurationMs": 41.5,
            "bySurface": {"web": 2, "mcp": 1},
            "queriesPerDay": [{"day": "2026-12-07", "count": 3, "errors": 1}],
        }
    )
    assert (stats.p95_duration_ms, stats.by_surface["mcp"], stats.top_tables) == (41.5, 1, [])
    overview = AdminOverview.from_json(
        {
            "connections": 1,
            "entities": None,
            "metrics": 2,
            "glossaryTerms": 0,
            "questions": None,
            "plan": {"plan": None, "features": [], "unlimited": True},
            "partial": True,
        }
    )
    assert (overview.entities, overview.questions, overview.partial) == (None, None, True)
    assert overview.plan is not None and overview.plan.unlimited
    info = ConnectionInfo.from_json(
        {
            "id": "default",
            "dbType": "duckdb",
            "health": {"status": "healthy", "latencyMs": 1.5, "checkedAt": "2026-12-07T10:00:00Z"},
        }
    )
    assert info.health is not None and info.health.latency_ms == 1.5


def test_filters_become_the_documented_query_string() -> None:
    filters = filter_params(
        user="u-1",
        success=False,
        since=date(2026, 12, 1),
        until="2026-12-07",
        q="users",
        surface=None,
    )
    assert filters == {
        "user": "u-1",
        "success": "false",
        "from": "2026-12-01",
        "to": "2026-12-07",
        "q": "users",
    }
    first = audit_call(filters, 10, 20, None)
    assert (first.path, first.params, first.idempotent) == (
        "/api/v1/admin/audit",
        {**filters, "limit": 10, "offset": 20},
        True,
    )
    assert "offset" not in (audit_call({}, None, 20, "c1").params or {})
    assert audit_call({}, None, None, None).params is None
    assert stats_call(None, None).params is None
    assert export_call({"kind": "change"}).path == "/api/v1/admin/audit/export"
    call = connection_test_call("a/b")
    assert (call.method, call.path, call.json) == (
        "POST",
        "/api/v1/admin/connections/a%2Fb/test",
        {},
    )


def test_export_filename_of_the_content_disposition() -> None:
    header = 'attachment; filename="atlas-audit-2026-12-07.csv"'
    assert export_filename(header) == "atlas-audit-2026-12-07.csv"
    assert export_filename(None) is None and export_filename("attachment") is None


def test_cli_relative_times_and_refusals_before_calling_atlas(config_dir: Path) -> None:
    seven_days = datetime.fromisoformat(_when("7d") or "")
    assert abs(datetime.now(UTC) - timedelta(days=7) - seven_days) < timedelta(minutes=1)
    assert _when("2026-12-01") == "2026-12-01"
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: a request would exit 3
    for args in (["list", "--limit", "0"], ["list", "--limit", "201"], ["export"]):
        r = atlas("audit", *args, url=url, config_dir=config_dir)
        assert r.exit_code == 2, (args, r.output)
        assert "Traceback" not in r.output
    assert atlas("audit", "list", url=url, config_dir=config_dir, max_retries=0).exit_code == 3
