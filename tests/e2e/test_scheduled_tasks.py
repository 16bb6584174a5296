"""/api/v1/scheduled-tasks through the gateway (the session's stack runs a scheduler): the
relay carries the caller, a triggered run is answered by the workers and can be opened as a
conversation, and bad input is a stable 4xx."""

from __future__ import annotations

import httpx

from tests.support.polling import wait_for

BASE = "/api/v1/scheduled-tasks"
QUESTION = "How many users signed up last week?"


def _create(gateway: str, **overrides: object) -> httpx.Response:
    body = {"name": "weekly signups", "question": QUESTION, "cronExpression": "0 9 * * 1",
            "timezone": "America/New_York", "deliveryChannel": "email",
            "recipients": [{"type": "email", "address": "team@example.com"}], **overrides}
    return httpx.post(gateway + BASE, json=body, timeout=10)


def test_a_task_is_created_run_and_opened_as_a_conversation(gateway: str) -> None:
    r = _create(gateway, recipients=[])
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["ownerId"] == "anonymous" and task["nextRunAt"].endswith(("13:00:00Z",
                                                                           "14:00:00Z"))
    listed = httpx.get(gateway + BASE, timeout=10).json()
    assert task["id"] in {t["id"] for t in listed["tasks"]} and listed["total"] >= 1

    r = httpx.post(f"{gateway}{BASE}/{task['id']}/run", timeout=10)
    assert r.status_code == 200, r.text
    run_id = r.json()["runId"]

    def finished() -> dict | None:
        runs = httpx.get(f"{gateway}{BASE}/{task['id']}/runs", timeout=10).json()["runs"]
        return next((x for x in runs if x["id"] == run_id and x["status"] != "running"), None)

    run = wait_for(finished, timeout=60, what="the triggered run")
    assert run["status"] == "success" and run["error"] is None, run
    conversation = httpx.get(f"{gateway}/api/v1/conversations/{run['conversationId']}",
                             timeout=10)
    assert conversation.status_code == 200, conversation.text
    assert QUESTION in conversation.text
    got = httpx.get(f"{gateway}{BASE}/{task['id']}", timeout=10).json()
    assert got["lastRunAt"] and got["recentRuns"][0]["id"] == run_id

    r = httpx.put(f"{gateway}{BASE}/{task['id']}", json={"enabled": False}, timeout=10)
    assert r.status_code == 200 and r.json()["enabled"] is False
    r = httpx.post(f"{gateway}{BASE}/{task['id']}/run", timeout=10)
    assert (r.status_code, r.json()["error"]) == (409, "task_disabled")
    assert httpx.delete(f"{gateway}{BASE}/{task['id']}", timeout=10).json() == {"success": True}
    assert httpx.get(f"{gateway}{BASE}/{task['id']}", timeout=10).status_code == 404


def test_bad_input_through_the_gateway(gateway: str) -> None:
    r = _create(gateway, cronExpression="*/5 * * *")
    assert (r.status_code, r.json()["error"]) == (400, "invalid_cron")
    r = _create(gateway, recipients=[{"type": "webhook", "url": "https://example.com"}])
    assert (r.status_code, r.json()["error"]) == (400, "invalid_recipients")
    r = _create(gateway, question="")
    assert (r.status_code, r.json()["error"]) == (422, "validation_error")
    r = httpx.get(f"{gateway}{BASE}/00000000-0000-0000-0000-000000000000/runs", timeout=10)
    assert (r.status_code, r.json()["error"]) == (404, "not_found")
    assert r.json()["requestId"]
