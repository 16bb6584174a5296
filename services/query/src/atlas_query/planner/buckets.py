"""Time buckets for MySQL / MariaDB and SQLite: the start of the day, week (Monday), month,
quarter or year a timestamp falls in (DuckDB and PostgreSQL use ``DATE_TRUNC``, timecols.py).

MySQL / MariaDB and SQLite have no ``DATE_TRUNC``, and sqlglot's
stand-in for them counts weeks from year 0 (not from a Monday) and calls a SQLite function
that does not exist, so both get expressions written here from their own date functions.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp

_PLACEHOLDER = "atlas_bucket_column"
OWN_BUCKETS = frozenset({"mysql", "sqlite"})
_TEMPLATES: dict[str, dict[str, str]] = {
    "mysql": {
        "day": "DATE({c})",
        "week": "DATE_SUB(DATE({c}), INTERVAL WEEKDAY({c}) DAY)",
        "month": "DATE_FORMAT({c}, '%Y-%m-01')",
        "quarter": "DATE_ADD(MAKEDATE(YEAR({c}), 1), INTERVAL (QUARTER({c}) - 1) QUARTER)",
        "year": "MAKEDATE(YEAR({c}), 1)",
    },
    "sqlite": {
        "day": "DATE({c})",
        "week": "DATE({c}, 'weekday 0', '-6 days')",  # the Sunday ending the week, less 6 days
        "month": "DATE({c}, 'start of month')",
        "quarter": "DATE({c}, 'start of month', '-' || ((CAST(STRFTIME('%m', {c}) AS INTEGER) - 1)"
        " % 3) || ' months')",
        "year": "DATE({c}, 'start of year')",
    },
}


def truncate(grain: str, column: exp.Expr, dialect: str) -> exp.Expr:
    """``column`` cut to the start of its ``grain``, as an expression of ``dialect``."""
    template = _template(grain, dialect).copy()
    return template.transform(
        lambda node: (
            column.copy() if isinstance(node, exp.Column) and node.name == _PLACEHOLDER else node
        )
    )


@cache
def _template(grain: str, dialect: str) -> exp.Expr:
    sql = _TEMPLATES[dialect][grain].format(c=_PLACEHOLDER)
    return sqlglot.parse_one(sql, read=dialect)


def local(column: exp.Expr, timezone: str, dialect: str) -> exp.Expr:
    """A naive UTC timestamp as wall time in ``timezone``. MySQL converts with CONVERT_TZ
    (its time-zone tables must be loaded); SQLite cannot name a zone, so its buckets stay in
    UTC (docs/operations.md)."""
    if dialect == "sqlite":
        return column.copy()
    return exp.ConvertTimezone(
        source_tz=exp.Literal.string("+00:00"),
        target_tz=exp.Literal.string(timezone),
        timestamp=column.copy(),
    )


_DAY_NAMES = {
    "duckdb": "DAYNAME({c})", "mysql": "DAYNAME({c})", "postgres": "TRIM(TO_CHAR({c}, 'FMDay'))",
    "sqlite": "CASE CAST(STRFTIME('%w', {c}) AS INTEGER) WHEN 0 THEN 'Sunday' WHEN 1 THEN "
              "'Monday' WHEN 2 THEN 'Tuesday' WHEN 3 THEN 'Wednesday' WHEN 4 THEN 'Thursday' "
              "WHEN 5 THEN 'Friday' ELSE 'Saturday' END",
}


def day_name(column: exp.Expr, dialect: str) -> exp.Expr:
    """The English name of the column's day of the week, from the dialect's own function."""
    template = _DAY_NAMES.get(dialect, _DAY_NAMES["duckdb"])
    tree = sqlglot.parse_one(template.format(c="__day__"), read=dialect)
    return tree.transform(lambda node: column.copy() if isinstance(node, exp.Column)
                          and node.name == "__day__" else node)
