"""The audit log end to end through the real service: events published on the bus, read back
through /api/v1/admin/audit (list, filters, cursor, stats, export), scoped to a workspace."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
import pytest_asyncio

from atlas_common.bus import Bus
from atlas_common.bus.names import EVENTS_EXCHANGE
from atlas_common.messages import BusMessage, KeyCreated, UserClaimsChanged, UserRoleChanged
from tests.audit.conftest import AuditStack, answered, rows_of, unique_workspace, wait_rows
from tests.support.polling import eventually

NOW = datetime.now(UTC).replace(microsecond=0)
A = unique_workspace()
B = unique_workspace()
LIST = "/api/v1/admin/audit"


def _events() -> dict[str, list[BusMessage]]:
    a: list[BusMessage] = [
        answered(A, occurred_at=NOW - timedelta(hours=1)),
        answered(A, user_id="u-2", surface="api", outcome="error", error_code="sql_error",
                 error_message="relation does not exist", tables=("Customers",),
                 question="=HYPERLINK(\"http://evil\")", sql=("SELECT * FROM customers",),
                 row_count=None, occurred_at=NOW - timedelta(hours=2)),
        answered(A, surface="mcp", outcome="not_understood", question="Why is the sky blue?",
                 sql=(), tables=(), occurred_at=NOW - timedelta(hours=3)),
        KeyCreated(key_id="k-1", workspace_id=A, name="ci", role="viewer", actor_id="u-1",
                   occurred_at=NOW - timedelta(minutes=30)),
    ]
    a += [answered(A, occurred_at=NOW - timedelta(hours=4 + i)) for i in range(6)]
    a.append(answered(A, question="old one", occurred_at=NOW - timedelta(days=3)))
    b: list[BusMessage] = [answered(B, question="secret B orders",
                                    occurred_at=NOW - timedelta(hours=i + 1)) for i in range(2)]
    return {A: a, B: b}


EVENTS = _events()


@pytest_asyncio.fixture(scope="module")
async def seeded(audit: AuditStack, bus: Bus, db: asyncpg.Pool) -> AuditStack:
    for events in EVENTS.values():
        for event in events:
            await bus.publish(event)
    for event in EVENTS[A][:3]:  # redelivered / re-published: written once
        await bus.publish(event)
    await wait_rows(db, A, len(EVENTS[A]))
    await wait_rows(db, B, len(EVENTS[B]))
    return audit


def _rows(audit: AuditStack, workspace: str = A, **params: Any) -> list[dict[str, Any]]:
    r = audit.get(LIST, workspace, limit=200, **params)
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()["rows"]
    return rows


async def test_duplicates_are_written_once(seeded: AuditStack, db: asyncpg.Pool,
                                           bus: Bus) -> None:
    await bus.publish(answered(B, question="marker"))  # after the duplicates on the queue
    await wait_rows(db, B, len(EVENTS[B]) + 1)
    assert await rows_of(db, A) == len(EVENTS[A])
    body = seeded.get(LIST, A).json()
    assert body["total"] == len(EVENTS[A]) and body["totalIsEstimate"] is False


def test_rows_newest_first_in_the_contract_shape(seeded: AuditStack) -> None:
    rows = _rows(seeded)
    stamps = [r["timestamp"] for r in rows]
    assert stamps == sorted(stamps, reverse=True)
    change = rows[0]
    assert change["kind"] == "change" and change["action"] == "key.created"
    assert change["targetId"] == "k-1" and change["userId"] == "u-1"
    assert change["details"] == {"name": "ci"}
    failed = next(r for r in rows if r["outcome"] == "error")
    assert failed["success"] is False and failed["error"] == "relation does not exist"
    assert failed["errorCode"] == "sql_error" and failed["tables"] == ["customers"]
    assert failed["sql"] == "SELECT * FROM customers" and failed["sourceId"] == "default"
    assert {"id", "userLabel", "authMode", "durationMs", "rowCount", "requestId",
            "conversationId", "surface", "tokens", "role"} <= set(failed)


@pytest.mark.parametrize(("params", "expected"), [
    ({"user": "u-2"}, 1),
    ({"outcome": "error"}, 1),
    ({"success": "false"}, 1),
    ({"success": "true"}, len(EVENTS[A]) - 1),
    ({"surface": "mcp"}, 1),
    ({"kind": "change"}, 1),
    ({"kind": "question"}, len(EVENTS[A]) - 1),
    ({"action": "key.created"}, 1),
    ({"table": "CUSTOMERS"}, 1),
    ({"table": "orders"}, len(EVENTS[A]) - 3),
    ({"q": "SKY"}, 1),
    ({"q": "from customers"}, 1),  # in the SQL
    ({"q": "100%"}, 0),  # LIKE wildcards are literal
    ({"from": (NOW + timedelta(days=1)).date().isoformat()}, 0),
    ({"to": (NOW - timedelta(days=2)).date().isoformat()}, 1),  # a date `to` is inclusive
    ({"to": (NOW - timedelta(days=3)).date().isoformat()}, 1),
    ({"from": (NOW - timedelta(hours=2, minutes=30)).isoformat()}, 3),
])
def test_filters(seeded: AuditStack, params: dict[str, str], expected: int) -> None:
    body = seeded.get(LIST, A, **params).json()
    assert body["total"] == expected, (params, body)
    assert len(body["rows"]) == min(expected, 50)


def test_cursor_pages_walk_every_row_once(seeded: AuditStack) -> None:
    everything = [r["id"] for r in _rows(seeded)]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        body = seeded.get(LIST, A, **params).json()
        seen += [r["id"] for r in body["rows"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert seen == everything
    second = seeded.get(LIST, A, limit=4, offset=4).json()
    assert [r["id"] for r in second["rows"]] == everything[4:8] and second["offset"] == 4


def test_workspaces_never_see_each_other(seeded: AuditStack) -> None:
    b_rows = _rows(seeded, B)
    assert {r["question"] for r in b_rows} >= {"secret B orders"}
    assert all(r["question"] != "old one" for r in b_rows)
    assert _rows(seeded, A, q="secret") == []
    stats = seeded.get(LIST + "/stats", B).json()
    assert stats["totalQueries"] == len(b_rows)
    export = seeded.get(LIST + "/export", B)
    lines = list(csv.reader(io.StringIO(export.text)))[1:]
    assert len(lines) == len(b_rows) and all(A not in ",".join(line) for line in lines)
    assert all("ws-" not in line[0] for line in lines)


def test_stats(seeded: AuditStack) -> None:
    stats = seeded.get(LIST + "/stats", A).json()
    questions = len(EVENTS[A]) - 1
    assert stats["totalQueries"] == questions and stats["totalErrors"] == 1
    assert stats["errorRate"] == pytest.approx(1 / questions)
    assert stats["activeUsers"] == 2
    assert stats["bySurface"] == {"web": questions - 2, "api": 1, "mcp": 1}
    assert stats["byOutcome"]["error"] == 1 and stats["byOutcome"]["not_understood"] == 1
    assert sum(d["count"] for d in stats["queriesPerDay"]) == questions
    assert sum(d["errors"] for d in stats["queriesPerDay"]) == 1
    assert stats["topTables"][0] == {"table": "orders", "count": questions - 2}
    assert stats["topQuestions"][0] == {"question": "How many orders last week?",
                                        "count": questions - 3}
    assert stats["p95DurationMs"] == pytest.approx(120)
    recent = seeded.get(LIST + "/stats", A, **{"from": (NOW - timedelta(days=1)).isoformat()})
    assert recent.json()["totalQueries"] == questions - 1


def test_export_is_csv_and_formula_safe(seeded: AuditStack) -> None:
    r = seeded.get(LIST + "/export", A)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="atlas-audit-')
    assert "x-atlas-truncated" not in r.headers
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert len(table) == len(EVENTS[A])
    evil = next(row for row in table if "HYPERLINK" in row["question"])
    assert evil["question"].startswith("'=")
    assert evil["success"] == "false" and evil["tables"] == "customers"
    only_errors = list(csv.DictReader(io.StringIO(
        seeded.get(LIST + "/export", A, outcome="error").text)))
    assert len(only_errors) == 1


@pytest.mark.parametrize("params", [
    {"outcome": "bogus"}, {"limit": "0"}, {"limit": "201"}, {"offset": "-1"},
    {"from": "yesterday"}, {"to": "2026-13-01"}, {"cursor": "not-a-cursor"},
    {"success": "maybe"}, {"kind": "other"}, {"surface": "fax"}, {"action": "DROP TABLE"},
    {"from": "2026-02-01", "to": "2026-01-01"}, {"user": "x" * 300},
])
def test_bad_filters_are_422(seeded: AuditStack, params: dict[str, str]) -> None:
    for path in (LIST, LIST + "/export"):
        if path.endswith("export") and set(params) & {"limit", "offset", "cursor"}:
            continue
        r = seeded.get(path, A, **params)
        assert r.status_code == 422, (path, params, r.text)
        assert r.json()["error"] == "validation_error"


@pytest.mark.parametrize("params", [{"from": "yesterday"}, {"to": "2026-02-30"},
                                    {"from": "2026-02-01", "to": "2026-01-01"}])
def test_bad_stats_ranges_are_422(seeded: AuditStack, params: dict[str, str]) -> None:
    r = seeded.get(LIST + "/stats", A, **params)
    assert r.status_code == 422 and r.json()["error"] == "validation_error", r.text


def test_only_admins_read_the_trail(seeded: AuditStack) -> None:
    for path in (LIST, LIST + "/stats", LIST + "/export"):
        r = seeded.get(path, A, role="analyst")
        assert r.status_code == 403 and r.json()["error"] == "forbidden_role"
    assert httpx.get(seeded.url + LIST, timeout=10).status_code == 401


async def test_a_claims_change_is_its_own_action_with_the_claims(
        seeded: AuditStack, bus: Bus, db: asyncpg.Pool) -> None:
    workspace = unique_workspace()
    claims = {"tenant_id": "acme", "region": ["eu", "us"]}
    await bus.publish(UserClaimsChanged(user_id="u-5", workspace_id=workspace, claims=claims,
                                        actor_id="u-1", occurred_at=NOW))
    # A claims change published before user.claims_changed existed: still read, as a role change.
    await bus.publish(UserRoleChanged(user_id="u-5", role="viewer", workspace_id=workspace,
                                      actor_id="u-1", occurred_at=NOW - timedelta(minutes=1)))
    await wait_rows(db, workspace, 2)
    claimed, role = _rows(seeded, workspace)
    assert (claimed["kind"], claimed["action"]) == ("change", "user.claims_changed")
    assert (claimed["userId"], claimed["targetId"]) == ("u-1", "u-5")
    assert claimed["details"] == {"claims": claims}
    assert (role["action"], role["role"]) == ("user.role_changed", "viewer")
    only = seeded.get(LIST, workspace, action="user.claims_changed").json()
    assert [r["id"] for r in only["rows"]] == [claimed["id"]]


async def test_a_malformed_message_is_dropped_not_looped(seeded: AuditStack, bus: Bus,
                                                         db: asyncpg.Pool) -> None:
    connection = await aio_pika.connect(seeded.isolation.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        await exchange.publish(aio_pika.Message(b"{not json"), routing_key="query.answered")
    workspace = unique_workspace()
    await bus.publish(answered(workspace))
    await wait_rows(db, workspace, 1)

    def dropped() -> bool:
        text = httpx.get(seeded.url + "/metrics", timeout=10).text
        return 'atlas_audit_events_dropped_total{reason="malformed"} 1.0' in text
    await eventually(dropped, timeout=10, what="the malformed message counted")


async def test_an_event_postgresql_refuses_does_not_hold_the_queue(
        seeded: AuditStack, bus: Bus, db: asyncpg.Pool) -> None:
    workspace = unique_workspace()
    refused = answered(workspace, tokens=2**40)  # beyond the integer column
    pasted = answered(workspace, question="orders\x00 by week")
    good = answered(workspace)
    for event in (refused, pasted, good):
        await bus.publish(event)
    await wait_rows(db, workspace, 2)
    rows = await db.fetch("SELECT event_id, question FROM audit.events WHERE workspace_id = $1",
                          workspace)
    assert {r["event_id"]: r["question"] for r in rows} == {
        pasted.event_id: "orders by week", good.event_id: good.question}
    async with httpx.AsyncClient() as client:
        text = (await client.get(seeded.url + "/metrics", timeout=10)).text
    assert 'atlas_audit_events_dropped_total{reason="refused"} 1.0' in text
