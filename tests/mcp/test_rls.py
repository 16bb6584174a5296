"""A key carrying RLS claims sees only its rows, through ``query`` and ``executeSQL`` alike
(the stack filters ``orders`` by the ``country`` claim; a key without it is refused)."""

from __future__ import annotations

from tests.mcp.clients import error_of, over_http, structured
from tests.mcp.conftest import McpStack

COUNTRIES_SQL = "SELECT country, COUNT(*) AS n FROM orders GROUP BY country"
QUESTION = "How many orders were there by country?"


async def test_execute_sql_sees_only_the_claimed_rows(mcp_stack: McpStack) -> None:
    async with over_http(mcp_stack.mcp_url, mcp_stack.de_key) as client:
        mine = structured(await client.call_tool("executeSQL", {"sql": COUNTRIES_SQL}))
    async with over_http(mcp_stack.mcp_url, mcp_stack.admin_key) as client:
        unclaimed = error_of(await client.call_tool("executeSQL", {"sql": COUNTRIES_SQL}))
    assert [r["country"] for r in mine["rows"]] == ["Germany"] and mine["rows"][0]["n"] > 0
    assert unclaimed["error"] == "sql_refused" and unclaimed["errors"][0]["layer"] == "rls"


async def test_query_sees_only_the_claimed_rows(mcp_stack: McpStack) -> None:
    async with over_http(mcp_stack.mcp_url, mcp_stack.de_key) as client:
        answer = structured(await client.call_tool("query", {"question": QUESTION}))
        direct = structured(await client.call_tool("executeSQL", {"sql": COUNTRIES_SQL}))
    assert answer["rows"], answer
    countries = {str(v) for row in answer["rows"] for k, v in row.items() if "country" in k}
    assert countries == {"Germany"}, answer
    [total] = [v for k, v in answer["rows"][0].items() if "country" not in k]
    assert total == direct["rows"][0]["n"]
