"""Guesses from names and types: units, measures, time buckets, entity kinds.

Every guess is marked in what is written (``x-atlas-guess: true`` and a description saying
so) so a person can review it; nothing here reads data beyond the profile.
"""

from __future__ import annotations

from typing import Any, Literal

from atlas_datasources.model import ColumnProfile, Dialect, TableProfile

from atlas_cli.init import names

GUESS = "x-atlas-guess"
REVIEW = "Guessed by atlas init: review."
Unit = Literal["cents", "percent", "currency"]

CENTS_SUFFIXES = ("_in_cents", "_cents")
PERCENT_SUFFIXES = ("_pct", "_percent", "_percentage", "_rate", "_ratio")
CURRENCY_WORDS = names.word_set(
    "usd eur gbp jpy dollars euros price amount revenue cost fee salary balance spend "
    "payment subtotal tax discount income profit sales gmv"
)
# Numbers that are labels, not quantities: summing or averaging them means nothing.
_LABEL_WORDS = names.word_set(
    "id key year zip zipcode postcode postal phone fax lat latitude lng lon long longitude "
    "code number no num version rank position sort order index idx ordinal seq sequence"
)
_MONTH = {
    "duckdb": "strftime({c}, '%Y-%m')",
    "sqlite": "strftime('%Y-%m', {c})",
    "postgres": "to_char({c}, 'YYYY-MM')",
    "mysql": "DATE_FORMAT({c}, '%Y-%m')",
}
_TIME_PREFERENCE = ("created_at", "created", "creation_date", "date", "ordered_at", "order_date")
_NOT_EVENT_TIME = ("updated", "modified", "deleted", "last_update", "changed", "synced")


def unit_of(column: str) -> Unit | None:
    lowered = column.lower()
    if lowered.endswith(CENTS_SUFFIXES):
        return "cents"
    if lowered.endswith(PERCENT_SUFFIXES):
        return "percent"
    return "currency" if CURRENCY_WORDS & set(names.words(column)) else None


def is_measurable(column: ColumnProfile, keys: set[str]) -> bool:
    """A number that is a quantity: not a key, not a label such as a year or a zip code."""
    if column.dimension_type != "number" or column.primary_key or column.name in keys:
        return False
    parts = names.words(column.name)
    return not parts or parts[-1] not in _LABEL_WORDS


def count_measure(table: TableProfile, pk_sql: str | None) -> dict[str, Any]:
    noun = names.noun_phrase(table.name, many=True)
    measure: dict[str, Any] = {
        "name": f"{names.snake(names.noun_phrase(table.name, many=False))}_count",
        "type": "count_distinct" if pk_sql else "count",
    }
    if pk_sql:
        measure["sql"] = pk_sql
    measure["description"] = f"Number of {noun}. {REVIEW}"
    measure[GUESS] = True
    return measure


def numeric_measures(column: ColumnProfile, sql: str, owner: str) -> list[dict[str, Any]]:
    """Sum and average (average only for percentages); cents are shown in whole units.

    ``owner``: the entity's row in words (``order``), to name a column called ``total``."""
    name, unit = column.name, unit_of(column.name)
    if unit == "cents":
        name = names.column_base(name, CENTS_SUFFIXES)
        sql = f"{sql} / 100.0"
    if "total" in names.words(name):  # "total" means a sum to the planner: say whose total
        name = names.snake(
            f"{owner} {' '.join(w for w in names.words(name) if w != 'total')} total"
        )
    name = names.snake(name)  # measure names in one style: UnitPrice -> unit_price
    label = " ".join(names.words(name))
    if unit == "cents":
        label += " in whole currency units, dollars for US cents"
    total = f"{name}_sum" if name.lower().endswith("total") else f"total_{name}"
    out: list[dict[str, Any]] = []
    if unit != "percent":
        out.append(_measure(total, sql, "sum", f"Sum of {label}."))
    out.append(_measure(f"avg_{name}", sql, "avg", f"Average {label}."))
    return out


def distinct_measure(column: str, sql: str) -> dict[str, Any]:
    base = names.column_base(column, ("_id", "_key", "id"))
    words = " ".join(names.words(base)) or column
    return _measure(
        f"distinct_{names.snake(base)}_count",
        sql,
        "count_distinct",
        f"Number of distinct {words} values referenced.",
    )


def _measure(name: str, sql: str, kind: str, text: str) -> dict[str, Any]:
    return {"name": name, "sql": sql, "type": kind, "description": f"{text} {REVIEW}", GUESS: True}


def main_time_column(table: TableProfile) -> ColumnProfile | None:
    """The column that says when a row happened: ``created_at`` first, never ``updated_at``."""
    times = [c for c in table.columns if c.dimension_type in ("date", "timestamp")]
    events = [c for c in times if not any(w in c.name.lower() for w in _NOT_EVENT_TIME)]
    for preferred in _TIME_PREFERENCE:
        found = next((c for c in events if c.name.lower() == preferred), None)
        if found is not None:
            return found
    return events[0] if events else None


def month_dimension(
    table: TableProfile, column: ColumnProfile, sql: str, dialect: Dialect, taken: set[str]
) -> dict[str, Any]:
    base = names.column_base(column.name, ("_at", "_date", "_on", "_time", "date"))
    if base.lower() in ("created", "creation", "") or base == column.name:
        base = names.snake(names.noun_phrase(table.name, many=False))
    name = f"{names.snake(base)}_month"
    while name in taken:
        name = f"{name}_bucket"
    return {
        "name": name,
        "sql": _MONTH[dialect].format(c=sql),
        "type": "string",
        "virtual": True,
        "description": f"Year and month of {column.name}, e.g. 2025-03. {REVIEW}",
        GUESS: True,
    }


def entity_type(table: TableProfile, references: int) -> str:
    """Views keep their kind; a table pointing at others is a fact, else a dimension."""
    if table.kind != "table":
        return table.kind
    return "fact_table" if references else "dimension_table"


def is_junction(table: TableProfile) -> bool:
    """A link table: every column is part of its key or of a foreign key."""
    fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
    key = fk_columns | set(table.primary_key)
    return len(table.foreign_keys) >= 2 and all(c.name in key for c in table.columns)
