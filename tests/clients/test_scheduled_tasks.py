"""Scheduled tasks through the real gateway (auth none: gateway -> scheduler -> worker), from the
Python SDK (sync and async) and the ``atlas schedules`` CLI: the life of a task, a run
triggered now that is answered as a conversation and delivered to a webhook receiver this
module starts, and the refusals with their codes and exit codes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from atlas_sdk import (
    AsyncAtlas,
    Atlas,
    BadRequestError,
    ConflictError,
    EmailRecipient,
    NotFoundError,
    ScheduledTaskRun,
    UnprocessableEntityError,
    WebhookRecipient,
)

from tests.clients.cli import atlas
from tests.clients.conftest import QUESTION, Running
from tests.support.polling import eventually, wait_for

NEVER = "0 0 1 1 *"  # once a year: only a trigger runs it during the tests
DELIVERED = 60.0  # seconds for an answer and its delivery on a loaded machine


class Receiver:
    """A webhook receiver on 127.0.0.1: every delivery's JSON body, by run id."""

    def __init__(self) -> None:
        self.bodies: dict[str, dict[str, Any]] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                outer.bodies[str(body.get("runId"))] = body
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def client(none_stack: Running) -> Iterator[Atlas]:
    with Atlas(none_stack.url) as c:
        yield c


def _delivered(client: Atlas, task_id: str, run_id: str) -> ScheduledTaskRun | None:
    runs = client.scheduled_tasks.list_runs(task_id, limit=5).runs
    run = next((r for r in runs if r.id == run_id), None)
    return run if run is not None and run.delivery_status == "sent" else None


def test_sdk_task_lifecycle_and_refusals(client: Atlas, receiver: Receiver) -> None:
    tasks = client.scheduled_tasks
    task = tasks.create(
        "py lifecycle",
        QUESTION,
        NEVER,
        delivery_channel="webhook",
        recipients=[WebhookRecipient(receiver.url)],
        timezone="America/New_York",
    )
    assert (task.timezone, task.enabled, task.last_run_at) == ("America/New_York", True, None)
    assert task.recipients == [WebhookRecipient(receiver.url)]
    assert task.next_run_at is not None and task.next_run_at.month == 1
    assert any(t.id == task.id for t in tasks.list(limit=100).tasks)
    paused = tasks.update(task.id, enabled=False)
    assert (paused.enabled, paused.name, paused.question) == (False, "py lifecycle", QUESTION)
    assert all(t.id != task.id for t in tasks.list(enabled=True, limit=100).tasks)
    with pytest.raises(ConflictError) as disabled:
        tasks.trigger(task.id)
    assert (disabled.value.code, disabled.value.status_code) == ("task_disabled", 409)
    with pytest.raises(BadRequestError) as bad_cron:
        tasks.update(task.id, cron_expression="61 * * * *")
    assert bad_cron.value.code == "invalid_cron"
    with pytest.raises(BadRequestError) as bad_to:
        tasks.update(task.id, recipients=[EmailRecipient("ops@example.com")])
    assert bad_to.value.code == "invalid_recipients"
    with pytest.raises(UnprocessableEntityError):
        tasks.create("", QUESTION, NEVER)
    tasks.delete(task.id)
    with pytest.raises(NotFoundError):
        tasks.get(task.id)


async def test_async_trigger_is_answered_as_a_conversation_and_delivered(
    none_stack: Running, receiver: Receiver
) -> None:
    async with AsyncAtlas(none_stack.url) as client:
        tasks = client.scheduled_tasks
        recipient = {"type": "webhook", "url": receiver.url}
        task = await tasks.create(
            "py trigger", QUESTION, NEVER, delivery_channel="webhook", recipients=[recipient]
        )
        try:
            started = await tasks.trigger(task.id)
            assert started.task_id == task.id and started.run_id

            async def delivered() -> ScheduledTaskRun | None:
                runs = (await tasks.list_runs(task.id)).runs
                run = next((r for r in runs if r.id == started.run_id), None)
                return run if run is not None and run.delivery_status == "sent" else None

            run = await eventually(delivered, timeout=DELIVERED, what="the run delivered")
            assert (run.status, run.trigger, run.error) == ("success", "manual", None)
            assert run.conversation_id is not None
            conversation = await client.conversations.get(run.conversation_id)
            assert conversation.messages[0].content == QUESTION
            assert receiver.bodies[run.id]["taskId"] == task.id
            assert (await tasks.get(task.id)).recent_runs[0].id == run.id
        finally:
            await tasks.delete(task.id)


def test_cli_schedules(
    none_stack: Running, client: Atlas, receiver: Receiver, config_dir: Path
) -> None:
    def cli(*args: str) -> Any:
        return atlas("schedules", *args, url=none_stack.url, config_dir=config_dir)

    r = cli(
        "create",
        "cli report",
        "-q",
        QUESTION,
        "--cron",
        NEVER,
        "--channel",
        "webhook",
        "--to",
        receiver.url,
        "--header",
        "x-test=cli",
        "--disabled",
        "--json",
    )
    assert r.exit_code == 0, r.output
    task = json.loads(r.stdout)
    task_id = task["id"]
    assert task["enabled"] is False and task["recipients"][0]["headers"] == {"x-test": "cli"}
    r = cli("list")
    assert r.exit_code == 0 and "cli report" in r.stdout and "127.0.0.1:" in r.stdout
    assert "/hook" not in r.stdout  # a URL's path may be a secret: the host only
    r = cli("run", task_id)
    assert r.exit_code == 1 and "task_disabled" in r.stderr and len(r.stderr.splitlines()) == 1
    r = cli("update", task_id, "--enable", "--name", "cli weekly")
    assert r.exit_code == 0 and "cli weekly" in r.stdout
    r = cli("run", task_id, "--json")
    assert r.exit_code == 0, r.output
    run_id = json.loads(r.stdout)["runId"]
    wait_for(lambda: _delivered(client, task_id, run_id), DELIVERED, what="the run delivered")
    assert receiver.bodies[run_id]["taskName"] == "cli weekly"  # update kept the recipients
    r = cli("runs", task_id, "--json")
    [run] = [x for x in json.loads(r.stdout)["runs"] if x["id"] == run_id]
    assert (run["status"], run["deliveryStatus"]) == ("success", "sent")
    r = cli("show", task_id)
    assert r.exit_code == 0 and "Recent runs" in r.stdout and run_id in r.stdout
    r = cli("update", task_id, "--cron", "every monday")
    assert r.exit_code == 2 and "invalid_cron" in r.stderr and "Traceback" not in r.output
    r = cli("update", task_id, "--channel", "email", "--to", "not an address")
    assert r.exit_code == 2 and "invalid_recipients" in r.stderr
    assert cli("update", task_id, "--header", "x-test=2").exit_code == 2  # --header needs --to
    assert cli("delete", task_id, "--yes").exit_code == 0
    r = cli("show", task_id)
    assert r.exit_code == 1 and "Not found" in r.stderr
