"""``client.admin`` through a real stack with the audit service (auth none: the anonymous admin;
gateway -> audit service, query-api, a worker that publishes query.answered): the Python SDK
(sync and async), ``atlas audit list|export``, and the TypeScript SDK's admin test under node
(clients/typescript/test/admin/) against the same stack.

Other modules of tests/clients ask questions on the same bus and workspace, so a test finds
its own questions by their request ids, never by exact counts."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from atlas_sdk import (
    AsyncAtlas,
    Atlas,
    AuditPage,
    NotFoundError,
    UnprocessableEntityError,
)

from tests.clients.cli import atlas
from tests.clients.conftest import QUESTION, TOKEN_DELAY_MS, Running, _Base, _Starter
from tests.clients.typescript.conftest import NodeEnv
from tests.support.polling import wait_for
from tests.support.stack import wait_for_workers

RECORDED = 30.0  # seconds for query.answered to reach the trail on a loaded machine


@pytest.fixture(scope="module")
def admin_stack(_base: _Base) -> Iterator[Running]:
    stack = _base.stack("admin")
    starter = _Starter(stack)
    try:
        stack.start("atlas-query-worker", "worker", {"ATLAS_WORKER_TOKEN_DELAY_MS": TOKEN_DELAY_MS})
        auth = starter.start("atlas-auth", "auth", "ATLAS_AUTH_PORT", ATLAS_AUTH_MODE="none")
        audit = starter.start("atlas-audit", "audit", "ATLAS_AUDIT_PORT")
        starter.wait()
        url = starter.start(
            "atlas-gateway",
            "gateway",
            "ATLAS_GATEWAY_PORT",
            ATLAS_AUTH_URL=auth,
            ATLAS_AUDIT_URL=audit,
        )
        starter.wait()
        wait_for_workers(url)
        yield Running(url, stack)
    finally:
        stack.stop_all()


@pytest.fixture(scope="module")
def asked(admin_stack: Running) -> list[str]:
    """Request ids of three questions (two surfaces), once recorded in the trail."""
    with Atlas(admin_stack.url) as client:
        ids = [
            client.query(QUESTION).request_id,
            client.query(QUESTION, surface="mcp").request_id,
            client.query("How many orders were placed last month?").request_id,
        ]
        wait_for(lambda: set(ids) <= _recorded(client), timeout=RECORDED, what="the trail")
    return ids


def _recorded(client: Atlas) -> set[str | None]:
    return {r.request_id for r in client.admin.audit(kind="question", limit=200).rows}


@pytest.fixture
def client(admin_stack: Running) -> Iterator[Atlas]:
    with Atlas(admin_stack.url) as c:
        yield c


def test_audit_rows_filters_and_cursor_pages(client: Atlas, asked: list[str]) -> None:
    mcp = client.admin.audit(surface="mcp", q="SIGNED UP", limit=200)
    assert asked[1] in {r.request_id for r in mcp.rows}
    assert {r.surface for r in mcp.rows} == {"mcp"}
    row = next(r for r in mcp.rows if r.request_id == asked[1])
    assert (row.kind, row.action, row.success, row.outcome) == (
        "question",
        "query.answered",
        True,
        "answered",
    )
    assert row.sql and row.tables and row.duration_ms is not None and row.timestamp
    assert asked[2] not in {r.request_id for r in mcp.rows}
    pages = list(client.admin.audit_pages(kind="question", limit=1))
    ids = [r.id for p in pages for r in p.rows]
    assert len(ids) == len(set(ids)) >= 3 and pages[-1].next_cursor is None
    assert set(asked) <= {r.request_id for p in pages for r in p.rows}


def test_stats_export_and_the_rest_of_admin(client: Atlas, asked: list[str]) -> None:
    stats = client.admin.audit_stats()
    assert stats.total_queries >= 3 and stats.by_surface.get("mcp", 0) >= 1
    assert 0 <= stats.error_rate <= 1
    export = client.admin.audit_export(kind="question")
    assert export.csv is not None and export.filename and not export.truncated
    rows = list(csv.DictReader(io.StringIO(export.csv)))
    assert set(asked) <= {r["requestId"] for r in rows}
    overview = client.admin.overview()
    assert overview.entities and overview.questions and overview.questions["total"] >= 3
    assert "default" in {c.id for c in client.admin.connections()}
    assert client.admin.test_connection("default").status == "healthy"
    with pytest.raises(NotFoundError):
        client.admin.test_connection("nope")
    assert isinstance(client.admin.plan().features, list)


def test_a_bad_filter_is_a_validation_error(client: Atlas) -> None:
    with pytest.raises(UnprocessableEntityError) as caught:
        client.admin.audit(since="yesterday")
    assert caught.value.code == "validation_error"


def test_the_async_client(admin_stack: Running, asked: list[str]) -> None:
    async def main() -> tuple[AuditPage, list[AuditPage], int]:
        async with AsyncAtlas(admin_stack.url) as c:
            page = await c.admin.audit(outcome="answered", limit=200)
            pages = [p async for p in c.admin.audit_pages(kind="question", limit=2)]
            export = await c.admin.audit_export(output=io.BytesIO())
            return page, pages, export.bytes_written

    page, pages, written = asyncio.run(main())
    assert asked[0] in {r.request_id for r in page.rows}
    assert sum(len(p.rows) for p in pages) >= 3 and written > 0


def test_cli_audit_list_and_export(
    admin_stack: Running, asked: list[str], config_dir: Path, tmp_path: Path
) -> None:
    def run(*args: str) -> tuple[int, str]:
        r = atlas("audit", *args, url=admin_stack.url, config_dir=config_dir)
        return r.exit_code, r.stdout

    code, out = run("list", "--surface", "mcp", "--since", "1d", "--limit", "200", "--json")
    assert code == 0 and asked[1] in {r["requestId"] for r in json.loads(out)["rows"]}
    code, out = run("list", "--kind", "question", "--limit", "200")
    lines = [line.split("\t") for line in out.splitlines()]  # not a terminal: plain lines
    assert code == 0 and len(lines) >= 3 and all(len(cells) == 8 for cells in lines)
    assert QUESTION in {cells[-1] for cells in lines}
    target = tmp_path / "audit.csv"
    code, _ = run("export", "--output", str(target), "--q", "signed up")
    assert code == 0 and asked[0] in target.read_text()
    assert run("list", "--outcome", "exploded")[0] == 2


def test_typescript_sdk_admin_under_node(admin_stack: Running, asked: list[str]) -> None:
    env = {
        "ATLAS_URL": admin_stack.url,
        "ATLAS_API_KEY": "unused-in-auth-none",
        "ATLAS_REQUEST_IDS": ",".join(asked),
    }
    result = NodeEnv(env).run("node", "--test", "--test-concurrency=1", "test/admin/")
    assert result.returncode == 0, (result.stdout + result.stderr)[-12000:]
    assert "# pass 4" in result.stdout and "# fail 0" in result.stdout, result.stdout[-2000:]
