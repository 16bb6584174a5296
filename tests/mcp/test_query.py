"""``query`` over both transports: the demo question answers the number ``POST /api/v1/query``
answers, with progress notifications while the stream runs."""

from __future__ import annotations

import httpx

from tests.mcp.clients import over_http, over_stdio, structured
from tests.mcp.conftest import DEMO_QUESTION, McpStack, bearer


def _direct(ms: McpStack, key: str) -> dict:
    r = httpx.post(
        ms.gateway + "/api/v1/query",
        json={"question": DEMO_QUESTION},
        headers=bearer(key),
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return r.json()


async def test_query_over_http_matches_the_rest_answer_and_reports_progress(
    mcp_stack: McpStack,
) -> None:
    direct = _direct(mcp_stack, mcp_stack.admin_key)
    progress: list[str] = []

    async def on_progress(_p: float, _total: float | None, message: str | None) -> None:
        progress.append(message or "")

    async with over_http(mcp_stack.mcp_url, mcp_stack.admin_key) as client:
        result = await client.call_tool(
            "query", {"question": DEMO_QUESTION}, progress_callback=on_progress
        )
    out = structured(result)
    assert not result.is_error
    assert out["rows"] == direct["data"][0]["rows"] and out["rows"]
    assert out["sql"] and out["sql"] == direct["sql"]
    assert out["conversationId"]
    assert progress, "no progress notification arrived"
    async with httpx.AsyncClient(base_url=mcp_stack.gateway, timeout=10) as http:
        stored = await http.get(
            f"/api/v1/conversations/{out['conversationId']}", headers=bearer(mcp_stack.admin_key)
        )
    assert stored.status_code == 200, stored.text
    assert stored.json()["surface"] == "mcp"


async def test_query_over_stdio_matches_the_rest_answer(mcp_stack: McpStack) -> None:
    direct = _direct(mcp_stack, mcp_stack.admin_key)
    async with over_stdio(mcp_stack.gateway, mcp_stack.admin_key) as client:
        out = structured(await client.call_tool("query", {"question": DEMO_QUESTION}))
    assert out["rows"] == direct["data"][0]["rows"]


async def test_an_ambiguous_question_asks_back_and_the_conversation_continues(
    mcp_stack: McpStack,
) -> None:
    async with over_http(mcp_stack.mcp_url, mcp_stack.de_key) as client:
        asked = structured(await client.call_tool("query", {"question": "How many customers?"}))
        clarification = asked["clarification"]
        assert clarification and clarification["options"] and asked["sql"] == []
        buyers = next(o for o in clarification["options"] if o.startswith("Buyers"))
        follow_up = structured(
            await client.call_tool(
                "query",
                {"question": buyers.split(":")[0], "conversationId": asked["conversationId"]},
            )
        )
    assert follow_up.get("conversationId") == asked["conversationId"], follow_up
    assert follow_up["sql"] and follow_up["rows"], follow_up
