"""The shape of a public sample schema: its tables as the original declares them, and the truth.

A schema is plain data: tables with generic column types (rendered per dialect by ``ddl``), the
foreign keys the original declares, the foreign keys inference should find once those are not
declared (hand-checked), and questions with the SQL written by hand to answer them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Dialect = Literal["postgres", "mysql", "duckdb", "sqlite"]
DIALECTS: tuple[Dialect, ...] = ("postgres", "mysql", "duckdb", "sqlite")
QuestionKind = Literal["count", "total_by", "top"]


@dataclass(frozen=True)
class Column:
    name: str
    # Generic type: int, bigint, decimal(p,s), varchar(n), char(n), date, timestamp.
    type: str
    nullable: bool = True


@dataclass(frozen=True)
class FK:
    """``table.columns`` -> ``ref_table.ref_columns``."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    why: str = ""  # for inferred keys: why it is (or is not) reasonable to expect

    def __str__(self) -> str:
        cols, refs = ",".join(self.columns), ",".join(self.ref_columns)
        return f"{self.table}({cols}) -> {self.ref_table}({refs})"

    @property
    def key(self) -> tuple[str, tuple[str, ...], str, tuple[str, ...]]:
        """Case-folded identity, for comparing with what a profiler reports."""
        return (
            self.table.lower(),
            tuple(c.lower() for c in self.columns),
            self.ref_table.lower(),
            tuple(c.lower() for c in self.ref_columns),
        )


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Question:
    """A question as a user would type it after ``atlas init``, and the SQL that answers it.

    The expected rows are never written down: they come from running ``sql`` (``answers``).
    ``sql`` quotes identifiers with double quotes where needed; MySQL runs it with ANSI_QUOTES.
    """

    id: str
    kind: QuestionKind
    text: str
    sql: str

    @property
    def ordered(self) -> bool:
        return self.kind == "top"


@dataclass(frozen=True)
class InferenceTruth:
    """What inference should find on the variant without declared foreign keys.

    ``expected``: reasonable from names and values; a profiler that misses one loses recall.
    ``acceptable``: right, but not reasonable to require (a name that shares nothing with its
    target, a composite key); finding one is not an error. Anything else found is wrong.
    """

    expected: tuple[FK, ...]
    acceptable: tuple[FK, ...] = ()


@dataclass(frozen=True)
class SampleSchema:
    name: str
    tables: tuple[Table, ...]
    declared_fks: tuple[FK, ...]
    inference: InferenceTruth
    questions: tuple[Question, ...]
    # Identifiers are mixed case (Chinook): the SQL quotes them.
    quoted: bool = False
    notes: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def fks_of(self, table: str) -> list[FK]:
        return [fk for fk in self.declared_fks if fk.table == table]

    def load_order(self) -> list[Table]:
        """Referenced tables before the tables that reference them (self references aside)."""
        done: list[Table] = []
        pending = list(self.tables)
        while pending:
            ready = [
                t
                for t in pending
                if all(
                    fk.ref_table in {d.name for d in done} or fk.ref_table == t.name
                    for fk in self.fks_of(t.name)
                )
            ]
            if not ready:
                raise ValueError(f"{self.name}: a foreign-key cycle among {pending}")
            done += ready
            pending = [t for t in pending if t not in ready]
        return done
