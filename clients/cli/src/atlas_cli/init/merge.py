"""``--force``: fold a new run into files a person may have edited, losing none of the edits.

The rule: a file keeps every key, item and comment it has. Added to it is only what comes
from a change in the database since the last run (a dimension for a new column, the measures
that read it, a join for a new foreign key; a catalog entry, glossary term or metric for a new
table). The statistics of known columns (``unique_count``, ``null_count``, ``x-atlas-min``,
``x-atlas-max``) are refreshed. A column, foreign key or table that is gone is marked
``x-atlas-dropped`` with the date, never deleted: the person decides.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from atlas_cli.init.diff import Changes
from atlas_cli.init.state import dimension_column, fk_base
from atlas_cli.init.yamlio import to_node

STATISTICS = ("unique_count", "null_count", "x-atlas-min", "x-atlas-max")
DROPPED = "x-atlas-dropped"
_LISTS = ("dimensions", "measures", "joins")


class EntityMerge:
    """Merge the new document of one table into its file; ``keys`` maps entity -> table."""

    def __init__(self, key: str, changes: Changes, keys: dict[str, str], today: date) -> None:
        self.key = key
        self.changes = changes
        self.keys = {name.lower(): table for name, table in keys.items()}
        self.new_columns = set(changes.new_columns.get(key, []))
        self.dropped = f"{today.isoformat()}: not in the database any more"

    def merge(self, old: CommentedMap, new: dict[str, Any]) -> None:
        for name, value in new.items():
            if name not in old and name not in _LISTS:
                old[name] = to_node(value, name)
        self._dimensions(_list(old, "dimensions"), new.get("dimensions", []))
        self._measures(_list(old, "measures"), new.get("measures", []))
        self._joins(_list(old, "joins"), new.get("joins", []))

    def _dimensions(self, old: CommentedSeq, new: list[dict[str, Any]]) -> None:
        by_column = {c: d for d in old if (c := dimension_column(d))}
        for item in new:
            column = dimension_column(item)
            if column in by_column:
                _refresh(by_column[column], item)
            elif column in self.new_columns:
                old.append(to_node(item))
        for column in self.changes.dropped_columns.get(self.key, []):
            if column in by_column:
                by_column[column][DROPPED] = self.dropped

    def _measures(self, old: CommentedSeq, new: list[dict[str, Any]]) -> None:
        names = {str(m.get("name")) for m in old if isinstance(m, dict)}
        for item in new:
            if item["name"] not in names and self._reads_new_column(str(item.get("sql", ""))):
                old.append(to_node(item))

    def _reads_new_column(self, sql: str) -> bool:
        return any(re.search(rf"(?<![\w]){re.escape(c)}(?![\w])", sql) for c in self.new_columns)

    def _joins(self, old: CommentedSeq, new: list[dict[str, Any]]) -> None:
        present = {_join_id(j) for j in old if isinstance(j, dict)}
        new_fks = _bases(self.changes.new_foreign_keys)
        for item in new:
            if _join_id(item) not in present and self._fk_of(item) in new_fks:
                old.append(to_node(item))
        gone = _bases(self.changes.dropped_foreign_keys)
        for join in old:
            if isinstance(join, dict) and self._fk_of(join) in gone:
                join[DROPPED] = self.dropped

    def _fk_of(self, join: Any) -> tuple[str, str] | None:
        """The foreign key behind a join, as ``(table, "column -> table.column")``."""
        columns = join.get("join_columns")
        target = self.keys.get(str(join.get("target_entity", "")).lower())
        if not isinstance(columns, dict) or target is None:
            return None
        here, there = str(columns.get("from")), str(columns.get("to"))
        if join.get("relationship") == "one_to_many":
            return target, f"{there} -> {self.key}.{here}"
        return self.key, f"{here} -> {target}.{there}"


def _bases(fks: dict[str, list[str]]) -> set[tuple[str, str] | None]:
    return {(table, fk_base(f)) for table, found in fks.items() for f in found}


def _join_id(join: Any) -> tuple[str, str, str]:
    columns = join.get("join_columns") if isinstance(join.get("join_columns"), dict) else {}
    return (
        str(join.get("target_entity", "")).lower(),
        str(columns.get("from")),
        str(columns.get("to")),
    )


def _list(data: CommentedMap, key: str) -> CommentedSeq:
    if not isinstance(data.get(key), list):
        data[key] = CommentedSeq()
    items: CommentedSeq = data[key]
    return items


def _refresh(old: Any, new: dict[str, Any]) -> None:
    if not isinstance(old, dict):
        return
    for key in STATISTICS:
        if key in new:
            old[key] = new[key]


def mark_dropped(data: CommentedMap, today: date) -> None:
    data[DROPPED] = f"{today.isoformat()}: the table is not in the database any more"


def add_named(old: CommentedMap, key: str, new_items: list[dict[str, Any]], field: str) -> int:
    """Append to the list ``old[key]`` the items whose ``field`` it does not hold yet."""
    items = _list(old, key)
    present = {str(i.get(field, "")).lower() for i in items if isinstance(i, dict)}
    added = [i for i in new_items if str(i.get(field, "")).lower() not in present]
    items.extend(to_node(i) for i in added)
    return len(added)


def add_terms(old: CommentedMap, terms: dict[str, Any]) -> int:
    if not isinstance(old.get("terms"), dict):
        old["terms"] = CommentedMap()
    present = {str(t).lower() for t in old["terms"]}
    added = {t: body for t, body in terms.items() if t.lower() not in present}
    for term, body in added.items():
        old["terms"][term] = to_node(body)
    return len(added)
