"""``atlas tables``, ``atlas validate-sql`` and ``atlas health``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from atlas_cli import render
from atlas_cli.errors import EXIT_ERROR, handles_errors
from atlas_cli.settings import current

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON, nothing else.")]


@handles_errors
def tables(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The tables you can ask about, with their columns."""
    with current(ctx).client() as client:
        found = client.tables()
    if as_json:
        render.print_json(
            [
                {
                    "table": t.table,
                    "description": t.description,
                    "columns": [
                        {"name": c.name, "type": c.type, "description": c.description}
                        for c in t.columns
                    ],
                }
                for t in found
            ]
        )
        return
    rows = [(t.table, t.description, ", ".join(c.name for c in t.columns)) for t in found]
    render.console.print(render.table(["table", "description", "columns"], rows))


@handles_errors
def validate_sql(
    ctx: typer.Context,
    sql: Annotated[str, typer.Argument(help="The SQL to check ('-': read it from stdin).")],
    as_json: JsonOption = False,
) -> None:
    """Check SQL with Atlas's guard, without running it. Exit code 1 when it is refused."""
    text = sys.stdin.read() if sql == "-" else sql
    with current(ctx).client() as client:
        result = client.validate_sql(text)
    if as_json:
        render.print_json(result.to_dict())
    elif result.valid:
        render.console.print("[bold green]valid[/]")
        if result.tables:
            render.console.print(f"tables: {escape(', '.join(result.tables))}")
        if result.rewritten_sql and result.rewritten_sql.strip() != text.strip():
            render.console.print("runs as:")
            render.show_sql([result.rewritten_sql])
    else:
        render.console.print("[bold red]refused[/]")
        for issue in result.errors:
            render.console.print(f"  {escape(f'[{issue.layer}]')} {escape(issue.message)}")
    if not result.valid:
        raise typer.Exit(EXIT_ERROR)


@handles_errors
def health(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Atlas's health and that of its dependencies. Exit code 1 when it is "error"."""
    with current(ctx).client() as client:
        report = client.health()
    if as_json:
        render.print_json(report.to_dict())
    else:
        colour = {"ok": "green", "degraded": "yellow"}.get(report.status, "red")
        render.console.print(
            f"[bold {colour}]{escape(report.status)}[/] at {escape(client.base_url)}"
        )
        rows = [(name, render.cell(value)) for name, value in sorted(report.checks.items())]
        render.console.print(render.table(["check", "state"], rows))
    if report.status == "error":
        raise typer.Exit(EXIT_ERROR)
