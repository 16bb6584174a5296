"""Slots fire once each with two replicas; a killed replica's run is taken over; missed slots
run the latest once; an unanswerable question fails with its reason and is not delivered."""

from __future__ import annotations

import itertools
import json
import signal
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest_asyncio

from tests.scheduler.conftest import (
    EVERY_2S,
    UNANSWERABLE,
    SchedulerStack,
    as_user,
    create,
    principal,
)
from tests.scheduler.delivery.receivers import HttpReceiver
from tests.support.polling import eventually

OWNER = principal("scheduler-owner", "analyst")
NEVER_SOON = "0 0 1 1 *"  # a schedule that will not fire during the test: runs are triggered


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as c:
        yield c


def _hook(receiver: tuple[HttpReceiver, str]) -> tuple[str, dict[str, Any]]:
    path = f"/hook-{uuid.uuid4().hex[:8]}"
    return path, {"type": "webhook", "url": receiver[1] + path}


async def _runs(client: httpx.AsyncClient, url: str, task_id: str) -> list[dict[str, Any]]:
    r = await client.get(f"{url}/api/v1/scheduled-tasks/{task_id}/runs",
                         params={"limit": 500}, headers=as_user(OWNER))
    assert r.status_code == 200, r.text
    runs: list[dict[str, Any]] = r.json()["runs"]
    return runs


async def _disable(client: httpx.AsyncClient, url: str, task_id: str) -> None:
    r = await client.put(f"{url}/api/v1/scheduled-tasks/{task_id}", json={"enabled": False},
                         headers=as_user(OWNER))
    assert r.status_code == 200, r.text


async def _settled(client: httpx.AsyncClient, url: str, task_id: str) -> list[dict[str, Any]]:
    """The runs once none is running and every delivery has ended."""
    async def probe() -> list[dict[str, Any]] | None:
        runs = await _runs(client, url, task_id)
        busy = any(r["status"] == "running" or r["deliveryStatus"] == "pending" for r in runs)
        return None if busy else runs
    return await eventually(probe, timeout=60, interval=0.2, what="every run settled")


async def test_every_slot_fires_once_with_two_replicas(
    sched: SchedulerStack, client: httpx.AsyncClient, receiver: tuple[HttpReceiver, str],
    db: asyncpg.Pool,
) -> None:
    a, b = sched.replicas["scheduler-a"], sched.replicas["scheduler-b"]
    path, hook = _hook(receiver)
    task = await create(client, a, OWNER, cronExpression=EVERY_2S, recipients=[hook])

    async def enough() -> bool:
        return sum(r["status"] == "success" for r in await _runs(client, b, task["id"])) >= 4
    await eventually(enough, timeout=60, interval=0.3, what="four successful slots")
    await _disable(client, b, task["id"])
    runs = sorted(await _settled(client, a, task["id"]), key=lambda r: r["slotAt"])

    slots = [r["slotAt"] for r in runs]
    assert len(slots) == len(set(slots))
    gaps = {_seconds(y) - _seconds(x) for x, y in itertools.pairwise(slots)}
    assert gaps == {2.0}, f"a slot was missed or doubled: {slots}"
    fired = [r for r in runs if r["status"] != "skipped"]
    bad = [r for r in fired if (r["status"], r["deliveryStatus"]) != ("success", "sent")]
    assert not bad, bad
    deliveries = receiver[0].at(path)
    ids = [d.headers["x-atlas-delivery-id"] for d in deliveries if d.status == 200]
    assert len(ids) == len(set(ids)) == len(fired), "each run is delivered exactly once"
    assert {json.loads(d.body)["runId"] for d in deliveries} == {r["id"] for r in fired}
    await _answered_once(sched, db, task["id"])


async def _answered_once(sched: SchedulerStack, db: asyncpg.Pool, task_id: str) -> None:
    """Each run's job reached the worker once: one job per slot, not one per replica."""
    request_ids = [r["request_id"] for r in await db.fetch(
        "SELECT request_id FROM scheduler.runs WHERE task_id = $1 AND status <> 'skipped'",
        uuid.UUID(task_id))]
    started = [r["request_id"] for r in _records(sched, "worker") if r.get("msg") == "job started"]
    assert {rid: started.count(rid) for rid in request_ids} == dict.fromkeys(request_ids, 1)


def _records(sched: SchedulerStack, *procs: str) -> list[dict[str, Any]]:
    """The JSON log records of these processes."""
    lines = "".join(sched.proc(p).output() for p in procs).splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


async def test_a_replica_killed_mid_run_is_taken_over(
    sched: SchedulerStack, client: httpx.AsyncClient, receiver: tuple[HttpReceiver, str],
) -> None:
    doomed = sched.start_replica("scheduler-doomed")
    path, hook = _hook(receiver)
    task = await create(client, doomed, OWNER, cronExpression=NEVER_SOON, recipients=[hook])
    r = await client.post(f"{doomed}/api/v1/scheduled-tasks/{task['id']}/run",
                          headers=as_user(OWNER))
    assert r.status_code == 200, r.text
    run_id = r.json()["runId"]
    sched.stack.stop(sched.proc("scheduler-doomed"), signal.SIGKILL)

    a = sched.replicas["scheduler-a"]
    (run,) = await _settled(client, a, task["id"])
    assert run["id"] == run_id and run["status"] == "success", run
    assert run["deliveryStatus"] == "sent" and run["conversationId"]
    assert len(receiver[0].at(path)) == 1
    taken = [r for r in _records(sched, "scheduler-a", "scheduler-b")
             if r.get("msg") == "taking over a run"]
    assert run_id in {r["run_id"] for r in taken}


async def test_missed_slots_run_the_latest_once_and_skip_the_others(
    sched: SchedulerStack, client: httpx.AsyncClient, db: asyncpg.Pool,
) -> None:
    a = sched.replicas["scheduler-a"]
    task = await create(client, a, OWNER, cronExpression=EVERY_2S, enabled=False)
    # As if no scheduler had run for ten seconds: five slots are due at once.
    resumed = await db.fetchval(
        "UPDATE scheduler.tasks SET enabled = true, "
        "next_run_at = date_trunc('second', now()) - interval '10 seconds' "
        "WHERE id = $1 RETURNING now()", uuid.UUID(task["id"]))

    async def caught_up() -> bool:
        return any(r["status"] != "skipped" for r in await _runs(client, a, task["id"]))
    await eventually(caught_up, timeout=30, interval=0.2, what="the catch-up run")
    await _disable(client, a, task["id"])
    runs = await _settled(client, a, task["id"])
    # The catch-up run's slot is the latest one due when the scheduler looked: at or after the
    # moment the task was resumed, if a 2 s boundary passed before the next tick.
    catch_up = min(_seconds(r["slotAt"]) for r in runs if r["status"] != "skipped")
    late = [r for r in runs if _seconds(r["slotAt"]) <= max(resumed.timestamp(), catch_up)]
    fired = [r for r in late if r["status"] != "skipped"]
    skipped = [r for r in late if r["status"] == "skipped"]
    assert len(fired) == 1, late
    assert len(skipped) >= 4 and all("missed" in r["error"] for r in skipped)
    assert max(_seconds(r["slotAt"]) for r in skipped) < _seconds(fired[0]["slotAt"])
    assert _seconds(fired[0]["slotAt"]) > resumed.timestamp() - timedelta(seconds=3).seconds


async def test_an_unanswerable_question_fails_with_its_reason_and_is_not_delivered(
    sched: SchedulerStack, client: httpx.AsyncClient, receiver: tuple[HttpReceiver, str],
) -> None:
    a = sched.replicas["scheduler-a"]
    path, hook = _hook(receiver)
    task = await create(client, a, OWNER, question=UNANSWERABLE, cronExpression=NEVER_SOON,
                        recipients=[hook])
    r = await client.post(f"{a}/api/v1/scheduled-tasks/{task['id']}/run",
                          headers=as_user(OWNER))
    assert r.status_code == 200
    (run,) = await _settled(client, a, task["id"])
    assert run["status"] == "failed" and "can't answer" in run["error"], run
    assert run["deliveryStatus"] is None and run["completedAt"]
    assert receiver[0].at(path) == []
