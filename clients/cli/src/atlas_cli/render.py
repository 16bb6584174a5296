"""Output: rich for people (highlighted SQL, tables), plain JSON and CSV for scripts."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from atlas_sdk import DataSet
from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

#: Rows shown in the terminal; ``--json`` and ``--csv`` always get every row.
MAX_ROWS_SHOWN = 50


def print_json(value: Any) -> None:
    """JSON on stdout, nothing else: ``atlas ... --json | jq``."""
    sys.stdout.write(json.dumps(value, indent=2, default=_json_default, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _json_default(value: object) -> Any:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], title: str | None = None
) -> Table:
    out = Table(title=title, show_lines=False, header_style="bold")
    for header in headers:
        out.add_column(header, overflow="fold")
    for row in rows:
        out.add_row(*(escape(cell(v)) for v in row))
    return out


def show_sql(statements: Sequence[str], target: Console = console) -> None:
    for sql in statements:
        target.print()
        target.print(
            Syntax(sql, "sql", theme="ansi_dark", word_wrap=True, background_color="default")
        )


def show_data(data: DataSet, target: Console = console) -> None:
    shown = data.rows[:MAX_ROWS_SHOWN]
    target.print()
    target.print(table(data.columns, ([row.get(c) for c in data.columns] for row in shown)))
    hidden = len(data.rows) - len(shown)
    notes = [f"{hidden} more rows (use --json or --csv for all)"] if hidden > 0 else []
    if data.truncated:
        notes.append("the result was truncated by the row limit")
    target.print(f"[dim]{len(data.rows)} row(s)" + "".join(f"; {n}" for n in notes) + "[/]")


def show_clarification(term: str, options: Sequence[str], target: Console = console) -> None:
    target.print()
    target.print(f"[bold]Which {escape(term)}?[/] Ask again naming one:")
    for option in options:
        target.print(f"  - {escape(option)}")


def show_suggestions(suggestions: Sequence[str], target: Console = console) -> None:
    target.print()
    target.print("[bold]You could ask:[/]")
    for suggestion in suggestions:
        target.print(f"  - {escape(suggestion)}")


def write_csv(data: DataSet, destination: str) -> None:
    """The rows as CSV, to a file or to stdout (``-``)."""
    if destination == "-":
        _csv_to(data, sys.stdout)
        sys.stdout.flush()
        return
    with Path(destination).open("w", newline="", encoding="utf-8") as f:
        _csv_to(data, f)


def _csv_to(data: DataSet, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(data.columns)
    for row in data.rows:
        writer.writerow([_csv_cell(row.get(c)) for c in data.columns])


def _csv_cell(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return "" if value is None else value
