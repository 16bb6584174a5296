"""What a catalog says about a table, before any row is read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from atlas_datasources.model import DimensionType, TableKind

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    data_type: str
    dimension_type: DimensionType
    nullable: bool = True
    # ``comparable``: equality works and values are scalars (distinct counts, sample values);
    # ``ordered``: a number or a date/time, so min/max mean something.
    comparable: bool = True
    ordered: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class ForeignKeyInfo:
    columns: list[str]
    ref_schema: str | None
    ref_table: str
    ref_columns: list[str]


@dataclass(frozen=True)
class TableInfo:
    schema: str | None
    name: str
    kind: TableKind
    columns: list[ColumnInfo]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[ForeignKeyInfo] = field(default_factory=list)
    comment: str | None = None
    row_estimate: int | None = None  # from the catalog; None when it has none
    row_estimate_exact: bool = False  # SQLite: counted (a local file), not estimated


@dataclass(frozen=True)
class Catalog:
    schema: str | None  # the schema (MySQL: database) that was read
    tables: list[TableInfo]


def wanted(name: str, tables: Sequence[str] | None) -> bool:
    """Whether ``--tables`` keeps ``name`` (no filter keeps all; names match case-insensitively)."""
    return tables is None or name.lower() in {t.lower() for t in tables}


def group_by_table(pairs: Sequence[tuple[K, V]]) -> dict[K, list[V]]:
    grouped: dict[K, list[V]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped
