"""Every tool, resource and prompt through the ``mcp`` SDK's client, over streamable HTTP and
over stdio (``atlas mcp`` spawned as a client would), against the real stack."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from mcp import Client

from tests.mcp.clients import error_of, over_http, over_stdio, structured
from tests.mcp.conftest import McpStack

TOOLS = {
    "query",
    "executeSQL",
    "explore",
    "listEntities",
    "describeEntity",
    "searchGlossary",
    "runMetric",
}
Connect = Callable[[McpStack, str], AbstractAsyncContextManager[Client]]
Opener = Callable[[], AbstractAsyncContextManager[Client]]


def _http(ms: McpStack, key: str) -> AbstractAsyncContextManager[Client]:
    return over_http(ms.mcp_url, key)


def _stdio(ms: McpStack, key: str) -> AbstractAsyncContextManager[Client]:
    return over_stdio(ms.gateway, key)


@pytest.fixture(params=[_http, _stdio], ids=["http", "stdio"])
def connect(request: pytest.FixtureRequest, mcp_stack: McpStack) -> Opener:
    """A new MCP session per test, opened in the test's own task (anyio's rule)."""
    transport: Connect = request.param
    return lambda: transport(mcp_stack, mcp_stack.analyst_key)


async def test_tools_are_listed_with_schemas_and_read_only_hints(connect: Opener) -> None:
    async with connect() as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) == TOOLS
        for tool in tools.values():
            assert tool.description and len(tool.description) > 60, tool.name
            assert tool.input_schema["type"] == "object"
            assert tool.input_schema.get("additionalProperties") is False, tool.name
            assert tool.output_schema and tool.output_schema["type"] == "object", tool.name
            assert tool.annotations and tool.annotations.read_only_hint is True, tool.name
        assert tools["query"].input_schema["required"] == ["question"]


async def test_semantic_tools(connect: Opener) -> None:
    async with connect() as client:
        listed = structured(await client.call_tool("listEntities", {}))
        names = {e["name"] for e in listed["entities"]}
        assert {"Users", "Orders"} <= names and listed["count"] == len(names)
        filtered = structured(await client.call_tool("listEntities", {"filter": "order"}))
        assert filtered["entities"] and all(
            "order" in f"{e['name']} {e['table']} {e['description']}".lower()
            for e in filtered["entities"]
        )
        users = structured(await client.call_tool("describeEntity", {"name": "users"}))
        assert users["found"] and users["entity"]["table"] == "users"
        assert {"country", "created_at"} <= {d["name"] for d in users["entity"]["dimensions"]}
        revenue = structured(await client.call_tool("searchGlossary", {"term": "revenue"}))
        [term] = [m for m in revenue["matches"] if m["term"] == "revenue"]
        assert term["status"] == "ambiguous" and term["possibleMappings"] and revenue["hint"]


async def test_explore_lists_reads_and_searches_the_layer(connect: Opener) -> None:
    async with connect() as client:

        async def run(command: str) -> str:
            return str(
                structured(await client.call_tool("explore", {"command": command}))["output"]
            )

        top = (await run("ls")).splitlines()
        assert {"catalog.yml", "glossary.yml", "entities/", "metrics/"} <= set(top)
        assert "users.yml" in (await run("ls entities")).splitlines()
        assert "name: Atlas demo" in await run("cat catalog.yml")
        assert len((await run("head -n 3 entities/users.yml")).splitlines()) == 3
        hits = await run("grep -i signups metrics/")
        assert hits and all(line.startswith("metrics/") for line in hits.splitlines())
        assert await run("find . -name '*.yml'")
        refused = error_of(await client.call_tool("explore", {"command": "rm -rf /"}))
        outside = error_of(await client.call_tool("explore", {"command": "cat ../../etc/passwd"}))
        assert refused["error"] == "unsupported_command" and outside["error"] == "not_found"


async def test_execute_sql_runs_and_refuses(connect: Opener) -> None:
    async with connect() as client:
        ran = structured(
            await client.call_tool(
                "executeSQL", {"sql": "SELECT COUNT(*) AS n FROM users", "explanation": "count"}
            )
        )
        assert ran["columns"] == ["n"] and ran["rows"][0]["n"] > 0 and ran["rowCount"] == 1
        dropped = error_of(await client.call_tool("executeSQL", {"sql": "DROP TABLE users"}))
        outside = error_of(
            await client.call_tool("executeSQL", {"sql": "SELECT * FROM information_schema.tables"})
        )
        assert dropped["error"] == outside["error"] == "sql_refused"
        assert dropped["errors"][0]["layer"] == "regex_guard"
        assert outside["errors"][0]["layer"] == "table_whitelist"
        assert "table_whitelist" in outside["message"]


async def test_run_metric(connect: Opener) -> None:
    async with connect() as client:
        plain = structured(await client.call_tool("runMetric", {"id": "signups"}))
        total = plain["value"]
        assert isinstance(total, int) and total > 0
        by_plan = structured(
            await client.call_tool("runMetric", {"id": "signups", "dimensions": ["plan"]})
        )
        assert sum(r["signups"] for r in by_plan["rows"]) == total
        pro = structured(
            await client.call_tool("runMetric", {"id": "signups", "filters": {"plan": "pro"}})
        )
        [pro_row] = [r for r in by_plan["rows"] if r["plan"] == "pro"]
        assert pro["value"] == pro_row["signups"] and "'pro'" in pro["sql"]
        unknown = error_of(await client.call_tool("runMetric", {"id": "no_such_metric"}))
        bad_column = error_of(
            await client.call_tool("runMetric", {"id": "signups", "dimensions": ["password"]})
        )
        assert unknown["error"] == "unknown_metric"
        assert bad_column["error"] == "invalid_request" and "password" in bad_column["message"]


async def test_unknown_entity_is_an_error(connect: Opener) -> None:
    async with connect() as client:
        unknown = error_of(await client.call_tool("describeEntity", {"name": "nope"}))
        traversal = error_of(await client.call_tool("describeEntity", {"name": "../x"}))
        assert unknown["error"] == "unknown_entity"
        assert traversal["error"] == "invalid_arguments"


async def test_resources_and_templates(connect: Opener) -> None:
    async with connect() as client:
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        assert listed == {"atlas://semantic/catalog", "atlas://semantic/glossary"}
        templates = {
            t.uri_template for t in (await client.list_resource_templates()).resource_templates
        }
        assert templates == {"atlas://semantic/entities/{name}", "atlas://semantic/metrics/{name}"}
        texts: dict[str, Any] = {}
        for uri in (*listed, "atlas://semantic/entities/users", "atlas://semantic/metrics/users"):
            [content] = (await client.read_resource(uri)).contents
            texts[uri] = content.text  # type: ignore[union-attr]
        assert "entities:" in texts["atlas://semantic/catalog"]
        assert "revenue:" in texts["atlas://semantic/glossary"]
        assert "table: users" in texts["atlas://semantic/entities/users"]
        assert "id: signups" in texts["atlas://semantic/metrics/users"]
        with pytest.raises(Exception, match=r"not_found|unknown_resource"):
            await client.read_resource("atlas://semantic/entities/nope")


async def test_prompts(connect: Opener) -> None:
    async with connect() as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        assert {"explain-table", "investigate-metric-change"} <= set(prompts)
        got = await client.get_prompt("explain-table", {"table": "orders"})
        text = got.messages[0].content.text  # type: ignore[union-attr]
        assert "orders" in text and "describeEntity" in text
