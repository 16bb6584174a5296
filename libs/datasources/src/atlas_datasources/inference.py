"""Foreign keys nobody declared, guessed from names and confirmed by values.

A column is a candidate when its name points at another table's key (``naming``): the key is
that table's single-column primary key, or, where none is declared, a column unique in the
profile whose name ends in id/key/code. A candidate is kept when at least
``OVERLAP_THRESHOLD`` (95 %) of a bounded sample of its non-null values (the first
``overlap_rows``) are found in the referenced key: 95 % and not 100 % because real data has
orphans (deleted customers, test rows). Kept keys are ``inferred=True`` with their
``overlap``; a column that already has a declared key of its own is never given another one
(one inside a composite declared key may be), and an empty
column (no value to check) is never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from atlas_datasources.connections.base import Connection
from atlas_datasources.errors import DatasourceError
from atlas_datasources.model import ColumnProfile, ForeignKey, TableProfile
from atlas_datasources.naming import GENERIC_KEYS, entity_of, match_strength, norm

OVERLAP_THRESHOLD = 0.95
_KEYISH = ("id", "key", "code")


@dataclass(frozen=True)
class Candidate:
    table: TableProfile
    column: ColumnProfile
    target: TableProfile
    key: ColumnProfile
    strength: int


def candidates(tables: Sequence[TableProfile]) -> list[Candidate]:
    """Every (column -> key) pair the names suggest, strongest first per column."""
    keys = {id(t): _keys(t) for t in tables if t.kind != "view"}
    has_pk = {id(t): len(t.primary_key) == 1 for t in tables}
    found = []
    for table in tables:
        # Only a column with a declared key of its own is settled: one that is part of a
        # composite key (TPC-H's lineitem -> partsupp) may still reference a table alone.
        declared = {fk.columns[0] for fk in table.foreign_keys if len(fk.columns) == 1}
        for column in table.columns:
            if column.name in declared or norm(column.name) in GENERIC_KEYS:
                continue
            found.extend(_for_column(table, column, tables, keys, has_pk))
    return found


def _for_column(
    table: TableProfile,
    column: ColumnProfile,
    tables: Sequence[TableProfile],
    keys: dict[int, list[ColumnProfile]],
    has_pk: dict[int, bool],
) -> list[Candidate]:
    own_key = table.primary_key == [column.name]
    found = []
    for target in tables:
        for key in keys.get(id(target), []):
            if target is table and key.name == column.name:
                continue
            if key.dimension_type != column.dimension_type:
                continue
            # A table's own key points elsewhere only into a table at least as big (1:1 split).
            if own_key and (target is table or target.row_count < table.row_count):
                continue
            strength = match_strength(column.name, target.name, key.name)
            # A key known only from its values (no declared primary key) must be named after
            # its table too: a summary table's unique customer_id is no customers table.
            if strength and (has_pk[id(target)] or strength == 2):
                found.append(Candidate(table, column, target, key, strength))
    return sorted(found, key=lambda c: -c.strength)


def _keys(table: TableProfile) -> list[ColumnProfile]:
    if len(table.primary_key) == 1:
        return [c for c in table.columns if c.name == table.primary_key[0]]
    if table.primary_key:
        return []  # a composite key: single-column references cannot be checked against it
    return [c for c in table.columns if _unique(c, table.row_count) and _keyish(c.name)]


def _unique(column: ColumnProfile, row_count: int) -> bool:
    return (
        row_count > 0
        and column.null_fraction == 0
        and column.distinct_count is not None
        and column.distinct_count >= row_count
    )


def _keyish(name: str) -> bool:
    return norm(name) in GENERIC_KEYS or entity_of(name) is not None or norm(name).endswith(_KEYISH)


def overlap_sql(conn: Connection, candidate: Candidate, source: str, target: str, rows: int) -> str:
    """Share of the first ``rows`` non-null values found in the key: an uncorrelated IN, which
    every engine here runs as one hashed or indexed lookup set."""
    col, key = conn.quote(candidate.column.name), conn.quote(candidate.key.name)
    return (
        f"SELECT count(*), sum(CASE WHEN s.v IN (SELECT {key} FROM {target}) THEN 1 ELSE 0 END) "
        f"FROM (SELECT {col} AS v FROM {source} WHERE {col} IS NOT NULL LIMIT {int(rows)}) AS s"
    )


async def infer_foreign_keys(
    conn: Connection,
    tables: list[TableProfile],
    *,
    qualified: Callable[[TableProfile], str],
    layer_name: Callable[[TableProfile], str],
    overlap_rows: int,
    warnings: list[str],
) -> list[TableProfile]:
    """``tables`` with the inferred keys added; ``qualified`` gives a table's SQL name and
    ``layer_name`` its name in the layer (``ForeignKey.ref_table``)."""
    best: dict[tuple[int, str], tuple[float, Candidate]] = {}
    for candidate in candidates(tables):
        slot = (id(candidate.table), candidate.column.name)
        if slot in best and best[slot][1].strength > candidate.strength:
            continue  # a stronger name already matched and passed
        sql = overlap_sql(
            conn, candidate, qualified(candidate.table), qualified(candidate.target), overlap_rows
        )
        share = await _overlap(conn, sql, candidate, warnings, layer_name)
        passed = share is not None and share >= OVERLAP_THRESHOLD
        if passed and share is not None and (slot not in best or share > best[slot][0]):
            best[slot] = (share, candidate)
    return [_with_keys(t, best, layer_name) for t in tables]


async def _overlap(
    conn: Connection,
    sql: str,
    candidate: Candidate,
    warnings: list[str],
    layer_name: Callable[[TableProfile], str],
) -> float | None:
    try:
        row = (await conn.fetch(sql)).rows[0]
    except DatasourceError as exc:
        if exc.kind not in ("timeout", "query", "permission"):
            raise
        if exc.kind != "query":  # a type mismatch is just not a key; a timeout is news
            warnings.append(
                f"{layer_name(candidate.table)}.{candidate.column.name}: foreign key to "
                f"{layer_name(candidate.target)} not checked: {exc.message}"
            )
        return None
    total, found = int(row[0] or 0), int(row[1] or 0)
    return found / total if total else None


def _with_keys(
    table: TableProfile,
    best: dict[tuple[int, str], tuple[float, Candidate]],
    layer_name: Callable[[TableProfile], str],
) -> TableProfile:
    inferred = [
        ForeignKey(
            columns=[c.column.name],
            ref_table=layer_name(c.target),
            ref_columns=[c.key.name],
            inferred=True,
            overlap=round(share, 4),
        )
        for (owner, _), (share, c) in best.items()
        if owner == id(table)
    ]
    if not inferred:
        return table
    return table.model_copy(update={"foreign_keys": [*table.foreign_keys, *inferred]})
