"""``atlas schedules list|show|create|update|delete|run|runs``: scheduled reports.

A scheduled task asks its question on a cron schedule and delivers the answer by email,
Slack or webhook. Input Atlas refuses (a bad cron, a recipient that does not fit the channel,
a field out of range) is bad usage: one line and exit 2, like Typer's own usage errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Annotated, ParamSpec, TypeVar

import typer
from atlas_sdk import (
    APIError,
    EmailRecipient,
    Recipient,
    ScheduledTask,
    ScheduledTaskRun,
    SlackRecipient,
    WebhookRecipient,
)
from rich.markup import escape

from atlas_cli import render
from atlas_cli.errors import fail, handles_errors
from atlas_cli.settings import current

app = typer.Typer(
    help="Scheduled reports: a question asked on a cron schedule, delivered.",
    no_args_is_help=True,
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON, nothing else.")]
IdArgument = Annotated[str, typer.Argument(help="The task's id (see list).")]
CHANNELS = ("email", "slack", "webhook")
#: Refusals of the arguments themselves: usage errors (exit 2), not error answers (exit 1).
USAGE_CODES = frozenset({"invalid_cron", "invalid_recipients", "validation_error"})
EXIT_USAGE = 2

P = ParamSpec("P")
R = TypeVar("R")


def usage_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Atlas refusing the arguments -> one line and exit 2; other errors as every command."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except APIError as error:
            if error.code not in USAGE_CODES:
                raise
            raise fail(f"{error.message} ({error.code})", EXIT_USAGE) from None

    return handles_errors(wrapper)


def _channel(value: str | None) -> str | None:
    if value is not None and value not in CHANNELS:
        raise typer.BadParameter(f"{value!r}: one of {', '.join(CHANNELS)}")
    return value


ChannelOption = Annotated[
    str | None,
    typer.Option(
        "--channel", callback=_channel, help="email, slack or webhook (create: default email)."
    ),
]
ToOption = Annotated[
    list[str] | None,
    typer.Option(
        "--to",
        help="A recipient (repeat for more): an address (email), an incoming-webhook URL "
        "(slack) or a URL (webhook).",
    ),
]
HeaderOption = Annotated[
    list[str] | None,
    typer.Option("--header", help="webhook: NAME=VALUE sent with each delivery (repeatable)."),
]


@app.command("list")
@usage_errors
def list_tasks(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
    enabled: Annotated[
        bool | None, typer.Option("--enabled/--disabled", help="Only enabled / disabled ones.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List your scheduled tasks (an admin: the workspace's)."""
    with current(ctx).client() as client:
        page = client.scheduled_tasks.list(limit=limit, offset=offset, enabled=enabled)
    if as_json:
        render.print_json({"tasks": [t.to_dict() for t in page.tasks], "total": page.total})
        return
    render.console.print(render.table(*_task_table(page.tasks)))
    render.console.print(f"[dim]{len(page.tasks)} of {page.total}[/]")


@app.command("show")
@usage_errors
def show(ctx: typer.Context, task_id: IdArgument, as_json: JsonOption = False) -> None:
    """Show a task and its recent runs."""
    with current(ctx).client() as client:
        task = client.scheduled_tasks.get(task_id)
    if as_json:
        render.print_json(task.to_dict())
        return
    _print_task(task)
    if task.recent_runs:
        render.console.print(render.table(*_run_table(task.recent_runs), title="Recent runs"))


@app.command("create")
@usage_errors
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name to recognise the task by.")],
    question: Annotated[str, typer.Option("--question", "-q", help="What to ask Atlas.")],
    cron: Annotated[str, typer.Option("--cron", help="e.g. '0 9 * * 1' (Mondays 09:00).")],
    timezone: Annotated[str | None, typer.Option("--tz", help="IANA zone; default UTC.")] = None,
    channel: ChannelOption = None,
    to: ToOption = None,
    header: HeaderOption = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it paused.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Create a scheduled task."""
    recipients = _recipients(channel or "email", to or [], header or [])
    with current(ctx).client() as client:
        task = client.scheduled_tasks.create(
            name,
            question,
            cron,
            delivery_channel=channel,
            recipients=recipients,
            timezone=timezone,
            enabled=False if disabled else None,
        )
    _done(task, "Created", as_json)


@app.command("update")
@usage_errors
def update(
    ctx: typer.Context,
    task_id: IdArgument,
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    question: Annotated[str | None, typer.Option("--question", "-q")] = None,
    cron: Annotated[str | None, typer.Option("--cron")] = None,
    timezone: Annotated[str | None, typer.Option("--tz")] = None,
    channel: ChannelOption = None,
    to: ToOption = None,
    header: HeaderOption = None,
    enabled: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Resume / pause the task.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a task: only the options given (--to replaces every recipient)."""
    with current(ctx).client() as client:
        recipients = None
        if header and to is None:
            raise typer.BadParameter(
                "goes with --to (which replaces the recipients)", param_hint="--header"
            )
        if to is not None:
            kind = channel or client.scheduled_tasks.get(task_id).delivery_channel
            recipients = _recipients(kind, to or [], header or [])
        task = client.scheduled_tasks.update(
            task_id,
            name=name,
            question=question,
            cron_expression=cron,
            timezone=timezone,
            delivery_channel=channel,
            recipients=recipients,
            enabled=enabled,
        )
    _done(task, "Updated", as_json)


@app.command("delete")
@usage_errors
def delete(
    ctx: typer.Context,
    task_id: IdArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a task (its runs' conversations stay)."""
    if not yes:
        typer.confirm(f"Delete scheduled task {task_id}?", abort=True)
    with current(ctx).client() as client:
        client.scheduled_tasks.delete(task_id)
    render.console.print(f"Deleted scheduled task {escape(task_id)}")


@app.command("run")
@usage_errors
def run(ctx: typer.Context, task_id: IdArgument, as_json: JsonOption = False) -> None:
    """Run a task now, outside its schedule (see `runs` for how it went)."""
    with current(ctx).client() as client:
        result = client.scheduled_tasks.trigger(task_id)
    if as_json:
        render.print_json(result.raw or {"taskId": result.task_id, "runId": result.run_id})
        return
    render.console.print(f"Started run {escape(result.run_id or '?')} of {escape(task_id)}")


@app.command("runs")
@usage_errors
def runs(
    ctx: typer.Context,
    task_id: IdArgument,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """A task's runs, newest first: status, delivery, the conversation of the answer."""
    with current(ctx).client() as client:
        page = client.scheduled_tasks.list_runs(task_id, limit=limit)
    if as_json:
        render.print_json({"runs": [r.to_dict() for r in page.runs]})
        return
    render.console.print(render.table(*_run_table(page.runs)))


def _recipients(channel: str, to: Sequence[str], headers: Sequence[str]) -> list[dict[str, object]]:
    """``--to`` values as recipients of ``channel``; Atlas checks each against it."""
    if headers and channel != "webhook":
        raise typer.BadParameter("--header is for the webhook channel", param_hint="--header")
    if channel == "email":
        return [{"type": "email", "address": value} for value in to]
    if channel == "slack":
        return [{"type": "slack", "channel": value} for value in to]
    sent = _headers(headers)
    return [
        {"type": "webhook", "url": value, **({"headers": sent} if sent else {})} for value in to
    ]


def _headers(values: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{value!r}: NAME=VALUE", param_hint="--header")
        out[name.strip()] = text
    return out


def _done(task: ScheduledTask, verb: str, as_json: bool) -> None:
    if as_json:
        render.print_json(task.to_dict())
        return
    render.console.print(f"{verb} scheduled task {escape(task.id)}")
    _print_task(task)


def _where(task: ScheduledTask) -> str:
    """Recipients in a line; URLs by host only (a Slack or webhook path is often a secret)."""
    return ", ".join(_recipient(r) for r in task.recipients) or "(none)"


def _recipient(r: Recipient) -> str:
    match r:
        case EmailRecipient(address=address):
            return address
        case SlackRecipient(channel=url) | WebhookRecipient(url=url):
            return _host(url)


def _host(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return rest.split("/", 1)[0] + ("/…" if "/" in rest else "")


def _print_task(task: ScheduledTask) -> None:
    rows = [
        ("id", task.id),
        ("name", task.name),
        ("question", task.question),
        ("schedule", f"{task.cron_expression} ({task.timezone})"),
        ("delivery", f"{task.delivery_channel}: {_where(task)}"),
        ("enabled", "yes" if task.enabled else "no (paused)"),
        ("next run", task.next_run_at or ""),
        ("last run", task.last_run_at or "never"),
    ]
    render.console.print(render.table(["", ""], rows))


def _task_table(tasks: list[ScheduledTask]) -> tuple[list[str], list[tuple[object, ...]]]:
    headers = ["id", "name", "schedule", "channel", "to", "enabled", "next run", "last run"]
    rows: list[tuple[object, ...]] = [
        (
            t.id,
            t.name,
            f"{t.cron_expression} ({t.timezone})",
            t.delivery_channel,
            _where(t),
            "yes" if t.enabled else "no",
            t.next_run_at,
            t.last_run_at or "never",
        )
        for t in tasks
    ]
    return headers, rows


def _run_table(runs: list[ScheduledTaskRun]) -> tuple[list[str], list[tuple[object, ...]]]:
    headers = ["id", "slot", "trigger", "status", "delivery", "conversation", "tokens", "error"]
    rows: list[tuple[object, ...]] = [
        (
            r.id,
            r.slot_at or r.started_at,
            r.trigger,
            r.status,
            r.delivery_status,
            r.conversation_id,
            r.tokens_used,
            r.error or r.delivery_error,
        )
        for r in runs
    ]
    return headers, rows
