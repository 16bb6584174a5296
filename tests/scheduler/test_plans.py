"""Plans gate scheduled tasks: ``scheduled-tasks`` on create / change / run now, one
``scheduled-runs`` per run fired (a run past the limit is failed with the reason, no job)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from atlas_common.internal import internal_headers
from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.scheduler.conftest import REPLICA_ENV, SchedulerStack, as_user, principal, task_body
from tests.support.polling import eventually

PLANS = """
features:
  scheduled-tasks: {type: boolean}
  scheduled-runs: {type: metered, unit: run, reset: month}
plans:
  free:
    default: true
    features: {}
  pro:
    features:
      scheduled-tasks: true
      scheduled-runs: {limit: 1}
"""
FREE = principal("free-owner", "admin", workspace="ws-free")
PRO = principal("pro-owner", "admin", workspace="ws-pro")


@pytest.fixture(scope="module")
def gated(sched: SchedulerStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A replica gating on a plans file, and the entitlements service that holds it."""
    plans = Path(tmp_path_factory.mktemp("plans")) / "plans.yaml"
    plans.write_text(PLANS)
    entitlements = sched.stack.start_entitlements({"ATLAS_PLANS_FILE": str(plans)})
    r = httpx.put(f"{entitlements}/internal/v1/customers/ws-pro/subscription",
                  json={"plan": "pro"}, headers=internal_headers(DEV_INTERNAL_TOKEN), timeout=10)
    assert r.status_code == 200, r.text
    url = sched.stack.start_scheduler("scheduler-gated",
                                      {**REPLICA_ENV, "ATLAS_PLANS_FILE": str(plans)})
    yield url
    # It would fire other modules' tasks (workspaces with no plan: refused): gone with this one.
    sched.stack.stop(sched.proc("scheduler-gated"))
    sched.stack.stop(sched.proc("entitlements"))
    sched.stack.env.pop("ATLAS_ENTITLEMENTS_URL")


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as c:
        yield c


async def test_a_plan_without_the_feature_cannot_schedule(gated: str,
                                                          client: httpx.AsyncClient) -> None:
    r = await client.post(gated + "/api/v1/scheduled-tasks", json=task_body(),
                          headers=as_user(FREE))
    assert (r.status_code, r.json()["error"]) == (403, "feature_not_in_plan")
    assert r.json()["feature"] == "scheduled-tasks"


async def test_runs_past_the_metered_limit_fail_with_the_reason(
    gated: str, client: httpx.AsyncClient
) -> None:
    r = await client.post(gated + "/api/v1/scheduled-tasks", json=task_body(),
                          headers=as_user(PRO))
    assert r.status_code == 201, r.text
    runs_url = f"{gated}/api/v1/scheduled-tasks/{r.json()['id']}"
    first = await client.post(runs_url + "/run", headers=as_user(PRO))
    second = await client.post(runs_url + "/run", headers=as_user(PRO))
    assert first.json()["message"] == "Run started"
    assert second.status_code == 200 and second.json()["message"].startswith("Not run:")

    async def settled() -> list | None:
        runs = (await client.get(runs_url + "/runs", headers=as_user(PRO))).json()["runs"]
        return None if any(x["status"] == "running" for x in runs) else runs
    runs = {x["id"]: x for x in await eventually(settled, timeout=60, what="both runs settled")}
    assert runs[first.json()["runId"]]["status"] == "success"
    refused = runs[second.json()["runId"]]
    assert refused["status"] == "failed" and "scheduled-runs" in refused["error"]
