"""A scheduled run's question carries the surface ``scheduled`` (issue 25): its conversation
says so, and the audit trail can tell it from the API. A client cannot claim that surface: the
gateway's request bodies accept web, api, mcp and slack only (a 422)."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest
from pydantic import ValidationError

from atlas_gateway.schemas import ChatRequest, QueryRequest
from tests.scheduler.conftest import SchedulerStack, as_user, create, principal
from tests.support.polling import eventually

OWNER = principal("surface-owner", "analyst")
NEVER_SOON = "0 0 1 1 *"


async def test_a_scheduled_run_is_a_scheduled_conversation(
    sched: SchedulerStack, db: asyncpg.Pool,
) -> None:
    a = sched.replicas["scheduler-a"]
    async with httpx.AsyncClient(timeout=10) as client:
        task = await create(client, a, OWNER, cronExpression=NEVER_SOON)
        r = await client.post(f"{a}/api/v1/scheduled-tasks/{task['id']}/run",
                              headers=as_user(OWNER))
    assert r.status_code == 200, r.text

    async def surface() -> Any:
        return await db.fetchval(
            "SELECT c.surface FROM query.conversations c JOIN scheduler.runs r "
            "ON r.conversation_id = c.id WHERE r.id = $1", r.json()["runId"])

    assert await eventually(surface, timeout=60, what="the run's conversation") == "scheduled"


@pytest.mark.parametrize("model, body", [
    (QueryRequest, {"question": "how many orders"}),
    (ChatRequest, {"messages": [{"id": "m1", "role": "user",
                                 "parts": [{"type": "text", "text": "how many orders"}]}]}),
])
def test_a_client_cannot_claim_the_scheduled_surface(model: Any, body: dict[str, Any]) -> None:
    for surface in ("web", "api", "mcp", "slack"):
        assert model.model_validate({**body, "surface": surface}).surface == surface
    with pytest.raises(ValidationError):
        model.model_validate({**body, "surface": "scheduled"})
