"""The answer as people read it: a text table, an HTML table, CSV, and cells made short.

Every cell is text here; HTML is escaped, CSV cells that a spreadsheet would run as a formula
are prefixed with ``'`` (a value from the database must not become code on a reader's machine).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from typing import Any

from atlas_scheduler.delivery.contract import Answer

PREVIEW_ROWS = 20
CELL_CHARS = 40
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any, limit: int = CELL_CHARS) -> str:
    text = (
        "" if value is None else value if isinstance(value, str) else json.dumps(value, default=str)
    )
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def preview(answer: Answer, limit: int = PREVIEW_ROWS) -> list[list[str]]:
    return [[cell(v) for v in row] for row in answer.rows[:limit]]


def rows_note(answer: Answer, shown: int) -> str:
    total = len(answer.rows)
    more = " (the worker's row limit cut the result)" if answer.truncated else ""
    if total <= shown:
        return f"{total} row{'s' if total != 1 else ''}{more}"
    return f"first {shown} of {total} rows{more}"


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A fixed-width table (for plain text and Slack's code block)."""
    table = [[cell(c) for c in columns], *rows]
    widths = [max(len(r[i]) if i < len(r) else 0 for r in table) for i in range(len(columns))]
    lines = [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)) for r in table]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def html_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows
    )
    return (
        '<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def csv_bytes(answer: Answer) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_safe(c) for c in answer.columns])
    writer.writerows([_csv_safe(v) for v in row] for row in answer.rows)
    return out.getvalue().encode()


def _csv_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value
