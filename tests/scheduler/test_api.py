"""The scheduled-task API on a replica's internal app: shapes, visibility, bad input."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from tests.scheduler.conftest import SchedulerStack, as_user, create, principal, task_body

OWNER = principal("owner-1", "analyst", region="EU")
OTHER = principal("other-1", "analyst")
ADMIN = principal("admin-1", "admin")
FOREIGN_ADMIN = principal("admin-2", "admin", workspace="w2")


@pytest_asyncio.fixture
async def api(sched: SchedulerStack) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client, sched.replicas["scheduler-a"] + "/api/v1/scheduled-tasks"


async def test_create_read_update_delete_in_upstream_shape(api: tuple) -> None:
    client, base = api
    task = await create(client, base.removesuffix("/api/v1/scheduled-tasks"), OWNER,
                        cronExpression="30 7 * * 1", timezone="Europe/Paris",
                        recipients=[{"type": "webhook", "url": "https://example.com/h"}])
    assert task["ownerId"] == "owner-1" and task["orgId"] == "w1" and task["enabled"] is True
    assert task["nextRunAt"] and task["lastRunAt"] is None
    assert task["nextRunAt"].endswith(("T05:30:00Z", "T06:30:00Z"))  # 07:30 Paris in UTC
    got = (await client.get(f"{base}/{task['id']}", headers=as_user(OWNER))).json()
    assert got["recentRuns"] == [] and got["recipients"] == task["recipients"]
    r = await client.put(f"{base}/{task['id']}", json={"enabled": False, "name": "renamed"},
                         headers=as_user(OWNER))
    assert r.status_code == 200 and r.json()["name"] == "renamed"
    assert r.json()["nextRunAt"] is None and r.json()["cronExpression"] == "30 7 * * 1"
    r = await client.delete(f"{base}/{task['id']}", headers=as_user(OWNER))
    assert r.status_code == 200 and r.json() == {"success": True}
    assert (await client.get(f"{base}/{task['id']}", headers=as_user(OWNER))).status_code == 404


async def test_owners_see_their_own_admins_the_workspace(api: tuple) -> None:
    client, base = api
    root = base.removesuffix("/api/v1/scheduled-tasks")
    mine = await create(client, root, OWNER)
    theirs = await create(client, root, OTHER)

    async def listed(who: object) -> set[str]:
        r = await client.get(base, params={"limit": 500}, headers=as_user(who))  # type: ignore[arg-type]
        assert r.status_code == 200
        return {t["id"] for t in r.json()["tasks"]}

    assert mine["id"] in await listed(OWNER) and theirs["id"] not in await listed(OWNER)
    assert {mine["id"], theirs["id"]} <= await listed(ADMIN)
    assert not {mine["id"], theirs["id"]} & await listed(FOREIGN_ADMIN)
    for who, status in ((OTHER, 404), (FOREIGN_ADMIN, 404), (ADMIN, 200)):
        r = await client.get(f"{base}/{mine['id']}", headers=as_user(who))
        assert r.status_code == status, (who.user_id, r.text)
    r = await client.put(f"{base}/{mine['id']}", json={"name": "x"}, headers=as_user(OTHER))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = await client.delete(f"{base}/{mine['id']}", headers=as_user(OTHER))
    assert r.status_code == 404


async def test_bad_input_is_a_stable_4xx(api: tuple) -> None:
    client, base = api
    cases = [
        (task_body(cronExpression="every day"), 400, "invalid_cron"),
        (task_body(cronExpression="61 * * * *"), 400, "invalid_cron"),
        (task_body(cronExpression="* * * * * * *"), 400, "invalid_cron"),
        (task_body(timezone="Mars/Olympus"), 400, "invalid_cron"),
        (task_body(deliveryChannel="email", recipients=[{"type": "slack", "channel": "x"}]),
         400, "invalid_recipients"),
        (task_body(deliveryChannel="email", recipients=[{"type": "email", "address": "nope"}]),
         400, "invalid_recipients"),
        (task_body(recipients=[{"type": "webhook", "url": "ftp://example.com/x"}]),
         400, "invalid_recipients"),
        (task_body(name="   "), 422, "validation_error"),
        ({"question": "q", "cronExpression": "* * * * *"}, 422, "validation_error"),
        (task_body(deliveryChannel="pigeon"), 422, "validation_error"),
    ]
    for body, status, code in cases:
        r = await client.post(base, json=body, headers=as_user(OWNER))
        assert (r.status_code, r.json()["error"]) == (status, code), (body, r.text)
    for unknown in (str(uuid.uuid4()), "not-a-uuid"):
        for method, path in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/run"),
                             ("GET", "/runs")):
            r = await client.request(method, f"{base}/{unknown}{path}", json={},
                                     headers=as_user(OWNER))
            assert (r.status_code, r.json()["error"]) == (404, "not_found"), (method, path)


async def test_a_disabled_task_cannot_be_triggered(api: tuple) -> None:
    client, base = api
    task = await create(client, base.removesuffix("/api/v1/scheduled-tasks"), OWNER,
                        enabled=False)
    r = await client.post(f"{base}/{task['id']}/run", headers=as_user(OWNER))
    assert (r.status_code, r.json()["error"]) == (409, "task_disabled")
    runs = (await client.get(f"{base}/{task['id']}/runs", headers=as_user(OWNER))).json()
    assert runs == {"runs": []}


async def test_an_update_keeps_the_schedule_valid(api: tuple) -> None:
    client, base = api
    task = await create(client, base.removesuffix("/api/v1/scheduled-tasks"), OWNER)
    r = await client.put(f"{base}/{task['id']}", json={"cronExpression": "nope"},
                         headers=as_user(OWNER))
    assert r.json()["error"] == "invalid_cron"
    r = await client.put(f"{base}/{task['id']}", json={"deliveryChannel": "email"},
                         headers=as_user(OWNER))  # recipients [] still fit
    assert r.status_code == 200 and r.json()["deliveryChannel"] == "email"
    r = await client.put(f"{base}/{task['id']}",
                         json={"recipients": [{"type": "webhook", "url": "https://e.com"}]},
                         headers=as_user(OWNER))
    assert r.json()["error"] == "invalid_recipients"
