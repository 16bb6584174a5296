"""What changed in the database since the layer on disk was made from it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atlas_cli.init.state import OnDisk, TableState, fk_base


@dataclass(frozen=True)
class Scope:
    """What this run profiled: a table left out of it was not dropped, only not looked at."""

    schema: str | None = None
    tables: frozenset[str] = frozenset()

    def covers(self, key: str, table: TableState) -> bool:
        if self.tables:
            return key in self.tables or key.split(".")[-1] in self.tables
        return self.schema is None or table.schema == self.schema


@dataclass
class Changes:
    first_run: bool
    new_tables: list[str] = field(default_factory=list)
    dropped_tables: list[str] = field(default_factory=list)
    new_columns: dict[str, list[str]] = field(default_factory=dict)
    dropped_columns: dict[str, list[str]] = field(default_factory=dict)
    new_foreign_keys: dict[str, list[str]] = field(default_factory=dict)
    dropped_foreign_keys: dict[str, list[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.new_tables,
                self.dropped_tables,
                self.new_columns,
                self.dropped_columns,
                self.new_foreign_keys,
                self.dropped_foreign_keys,
            )
        )

    def lines(self) -> list[str]:
        """The diff for people: ``+`` new, ``-`` gone."""
        out = [f"+ table {t}" for t in self.new_tables]
        out += [f"- table {t}" for t in self.dropped_tables]
        for sign, what, items in (
            ("+", "column", self.new_columns),
            ("-", "column", self.dropped_columns),
            ("+", "foreign key", self.new_foreign_keys),
            ("-", "foreign key", self.dropped_foreign_keys),
        ):
            out += [
                f"{sign} {what} {table}.{item}"
                for table, found in sorted(items.items())
                for item in found
            ]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "firstRun": self.first_run,
            "newTables": self.new_tables,
            "droppedTables": self.dropped_tables,
            "newColumns": self.new_columns,
            "droppedColumns": self.dropped_columns,
            "newForeignKeys": self.new_foreign_keys,
            "droppedForeignKeys": self.dropped_foreign_keys,
        }


def compare(disk: OnDisk, now: dict[str, TableState], scope: Scope) -> Changes:
    if disk.first_run:
        return Changes(first_run=True, new_tables=sorted(now))
    before = {k: t for k, t in disk.tables.items() if scope.covers(k, t)}
    changes = Changes(
        first_run=False,
        new_tables=sorted(set(now) - set(before)),
        dropped_tables=sorted(set(before) - set(now)),
    )
    empty = TableState(None, [], [])
    for key in sorted(set(now) | set(before)):
        _columns(changes, key, before.get(key, empty), now.get(key, empty))
    return changes


def _columns(changes: Changes, key: str, before: TableState, now: TableState) -> None:
    """Columns of tables on both sides; foreign keys of all (a new table's keys are new)."""
    if before.columns and now.columns:
        _put(changes.new_columns, key, [c for c in now.columns if c not in before.columns])
        _put(changes.dropped_columns, key, [c for c in before.columns if c not in now.columns])
    old_fks = {fk_base(f) for f in before.foreign_keys}
    new_fks = {fk_base(f) for f in now.foreign_keys}
    _put(changes.new_foreign_keys, key, [f for f in now.foreign_keys if fk_base(f) not in old_fks])
    _put(
        changes.dropped_foreign_keys,
        key,
        [f for f in before.foreign_keys if fk_base(f) not in new_fks],
    )


def _put(into: dict[str, list[str]], key: str, items: list[str]) -> None:
    if items:
        into[key] = items
