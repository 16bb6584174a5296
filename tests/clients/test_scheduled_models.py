"""The Python SDK's scheduled-task models and request bodies, and the CLI's refusals of bad
arguments before any request (no stack: the wire against the real gateway is in
test_scheduled_tasks.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from atlas_sdk import (
    EmailRecipient,
    ScheduledTask,
    ScheduledTaskList,
    SlackRecipient,
    TriggerResult,
    WebhookRecipient,
)
from atlas_sdk._scheduled import list_call, runs_call, task_body, task_path

from tests.clients.cli import atlas
from tests.support.stack import free_port

TASK = {
    "id": "t-1",
    "ownerId": "u-1",
    "orgId": None,
    "name": "Weekly signups",
    "question": "How many users signed up last week?",
    "cronExpression": "0 9 * * 1",
    "timezone": "Europe/Paris",
    "deliveryChannel": "webhook",
    "recipients": [
        {"type": "webhook", "url": "https://example.com/hook", "headers": {"x-token": "s3cret"}},
        {"type": "fax", "number": "0"},
    ],
    "enabled": True,
    "lastRunAt": None,
    "nextRunAt": "2026-12-14T08:00:00Z",
    "createdAt": "2026-12-07T10:00:00Z",
    "updatedAt": "2026-12-07T10:00:00Z",
    "recentRuns": [
        {
            "id": "r-1",
            "taskId": "t-1",
            "slotAt": "2026-12-07T08:00:00Z",
            "trigger": "schedule",
            "status": "failed",
            "error": "not understood",
            "deliveryStatus": None,
            "deliveryError": None,
            "conversationId": "c-1",
            "tokensUsed": 0,
            "startedAt": "2026-12-07T08:00:00Z",
            "completedAt": "2026-12-07T08:00:01Z",
            "createdAt": "2026-12-07T08:00:00Z",
        }
    ],
}


def test_a_task_parses_with_typed_recipients_and_runs() -> None:
    task = ScheduledTask.from_json(TASK)
    assert (task.cron_expression, task.timezone, task.org_id) == ("0 9 * * 1", "Europe/Paris", None)
    # An unknown recipient type is dropped from the typed list, kept in the raw JSON.
    assert task.recipients == [WebhookRecipient("https://example.com/hook", {"x-token": "s3cret"})]
    assert "s3cret" not in repr(task)
    assert task.next_run_at == datetime(2026, 12, 14, 8, tzinfo=UTC)
    [run] = task.recent_runs
    assert (run.status, run.error, run.trigger, run.tokens_used) == (
        "failed",
        "not understood",
        "schedule",
        0,
    )
    assert run.completed_at and run.started_at and run.completed_at > run.started_at
    assert task.to_dict() == TASK
    page = ScheduledTaskList.from_json({"tasks": [TASK]})
    assert page.total == 1 and page.tasks[0].recent_runs[0].conversation_id == "c-1"


def test_bodies_are_camel_case_and_carry_only_what_was_given() -> None:
    recipients: list[EmailRecipient | dict[str, str]] = [
        EmailRecipient("a@example.com"),
        {"type": "email", "address": "b@example.com"},
    ]
    assert task_body(name="n", cron_expression="* * * * *", recipients=recipients) == {
        "name": "n",
        "cronExpression": "* * * * *",
        "recipients": [
            {"type": "email", "address": "a@example.com"},
            {"type": "email", "address": "b@example.com"},
        ],
    }
    assert task_body(enabled=False) == {"enabled": False}
    assert task_body(recipients=[SlackRecipient("https://hooks.slack.com/x", "T1")]) == {
        "recipients": [{"type": "slack", "channel": "https://hooks.slack.com/x", "teamId": "T1"}]
    }


def test_paths_escape_ids_and_list_params() -> None:
    assert task_path("a/b c") == "/api/v1/scheduled-tasks/a%2Fb%20c"
    call = list_call(5, None, False)
    assert (call.method, call.params, call.idempotent) == (
        "GET",
        {"limit": 5, "enabled": "false"},
        True,
    )
    assert runs_call("t-1", 3).path == "/api/v1/scheduled-tasks/t-1/runs"
    assert (
        TriggerResult.from_json({"runId": "r-9", "message": "Run started"}, "t-1").task_id == "t-1"
    )


def test_cli_refuses_bad_arguments_before_calling_atlas(config_dir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: a request would exit 3
    cases = [
        ["--channel", "fax", "--to", "x"],
        ["--channel", "email", "--to", "a@example.com", "--header", "x-token=1"],
        ["--channel", "webhook", "--to", "https://example.com/h", "--header", "no-equals"],
    ]
    for extra in cases:
        r = atlas(
            "schedules",
            "create",
            "n",
            "-q",
            "q",
            "--cron",
            "* * * * *",
            *extra,
            url=url,
            config_dir=config_dir,
        )
        assert r.exit_code == 2, (extra, r.output)
        assert "Traceback" not in r.output
