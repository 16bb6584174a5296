"""``atlas audit list|export``: the workspace's audit trail (admin role).

Every question asked (who, from which surface, the SQL run, the outcome) and every change
(keys, users, the plan). ``list`` prints a table on a terminal and one tab-separated line per
event otherwise (``| grep``, ``| cut``); ``--json`` prints the page as Atlas sends it. A filter
Atlas refuses (a bad date, an unknown outcome) is bad usage: one line and exit 2.
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from atlas_sdk import AuditEntry, AuditFilters

from atlas_cli import render
from atlas_cli.commands.schedules import usage_errors
from atlas_cli.errors import err_console
from atlas_cli.settings import current

app = typer.Typer(help="The audit trail: questions asked and changes made.", no_args_is_help=True)
HEADERS = ["time (UTC)", "user", "surface", "kind", "outcome", "ms", "rows", "question / action"]
_RELATIVE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _when(value: str | None) -> str | None:
    """``7d``, ``12h``, ``30m``, ``2w`` (before now) -> an ISO time; anything else as given."""
    if value is None:
        return None
    match = _RELATIVE.match(value.strip())
    if match is None:
        return value
    delta = timedelta(**{_UNITS[match[2]]: int(match[1])})
    return (datetime.now(UTC) - delta).isoformat(timespec="seconds")


UserOption = Annotated[str | None, typer.Option("--user", help="A user id.")]
SurfaceOption = Annotated[
    str | None, typer.Option("--surface", help="web, api, mcp, slack, scheduled...")
]
OutcomeOption = Annotated[
    str | None,
    typer.Option("--outcome", help="answered, clarification, not_understood, error or cancelled."),
]
KindOption = Annotated[str | None, typer.Option("--kind", help="question or change.")]
ActionOption = Annotated[str | None, typer.Option("--action", help="e.g. key.revoked.")]
TableOption = Annotated[str | None, typer.Option("--table", help="Questions that read it.")]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", callback=_when, help="ISO date or time, or 7d / 12h / 30m ago."),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", callback=_when, help="ISO date (inclusive) or time, or 1d ago."),
]
QOption = Annotated[str | None, typer.Option("--q", "-q", help="Text in the question or the SQL.")]


@app.command("list")
@usage_errors
def list_events(
    ctx: typer.Context,
    user: UserOption = None,
    surface: SurfaceOption = None,
    outcome: OutcomeOption = None,
    kind: KindOption = None,
    action: ActionOption = None,
    table: TableOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    q: QOption = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="At most this many.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON, nothing else.")] = False,
) -> None:
    """The newest events first, filtered."""
    filters = AuditFilters(
        user=user,
        surface=surface,
        outcome=outcome,
        kind=kind,
        action=action,
        table=table,
        since=since,
        until=until,
        q=q,
    )
    with current(ctx).client() as client:
        page = client.admin.audit(limit=limit, **filters)
    if as_json:
        rows = [r.to_dict() for r in page.rows]
        render.print_json({"rows": rows, "total": page.total, "nextCursor": page.next_cursor})
        return
    _print_rows(page.rows)
    about = "about " if page.total_is_estimate else ""
    err_console.print(f"[dim]{len(page.rows)} of {about}{page.total}[/]")


@app.command("export")
@usage_errors
def export(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The CSV file to write ('-': stdout).")
    ],
    user: UserOption = None,
    surface: SurfaceOption = None,
    outcome: OutcomeOption = None,
    kind: KindOption = None,
    action: ActionOption = None,
    table: TableOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    q: QOption = None,
) -> None:
    """Write the filtered trail as CSV (at most 100,000 rows, newest first)."""
    filters = AuditFilters(
        user=user,
        surface=surface,
        outcome=outcome,
        kind=kind,
        action=action,
        table=table,
        since=since,
        until=until,
        q=q,
    )
    to_stdout = str(output) == "-"
    with current(ctx).client() as client:
        if to_stdout:
            result = client.admin.audit_export(output=sys.stdout.buffer, **filters)
        else:
            with output.open("wb") as file:
                result = client.admin.audit_export(output=file, **filters)
    where = "stdout" if to_stdout else str(output)
    err_console.print(f"Wrote {result.bytes_written} bytes to {where}.")
    if result.truncated:
        err_console.print("[yellow]Cut at 100,000 rows: narrow the filters for the rest.[/]")


def _print_rows(rows: list[AuditEntry]) -> None:
    cells = [_cells(r) for r in rows]
    if render.console.is_terminal:
        render.console.print(render.table(HEADERS, cells))
        return
    for row in cells:
        sys.stdout.write("\t".join(_plain(v) for v in row) + "\n")
    sys.stdout.flush()


def _plain(value: object) -> str:
    """One field of a plain line: full ISO times, no tab or newline inside."""
    text = value.isoformat() if isinstance(value, datetime) else render.cell(value)
    return " ".join(text.split())


def _cells(r: AuditEntry) -> tuple[object, ...]:
    what = r.question if r.kind == "question" else f"{r.action} {r.target_id or ''}".strip()
    outcome = r.outcome or ("ok" if r.success else "error")
    rows = r.row_count if r.kind == "question" else None
    ms = r.duration_ms if r.kind == "question" else None
    return (r.timestamp, r.user_id, r.surface, r.kind, outcome, ms, rows, what)
