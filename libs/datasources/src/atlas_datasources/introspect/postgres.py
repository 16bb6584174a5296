"""PostgreSQL catalogs: pg_class, pg_attribute, pg_constraint; estimates from reltuples."""

from __future__ import annotations

import json
from collections.abc import Sequence

from atlas_datasources.connections.base import Connection
from atlas_datasources.errors import DatasourceError
from atlas_datasources.introspect.base import (
    Catalog,
    ColumnInfo,
    ForeignKeyInfo,
    TableInfo,
    group_by_table,
    wanted,
)
from atlas_datasources.introspect.types import postgres_type
from atlas_datasources.model import TableKind

_KINDS: dict[str, TableKind] = {
    "r": "table", "p": "table", "f": "table", "v": "view", "m": "materialized_view",
}  # fmt: skip

_TABLES = """
SELECT c.relname, c.relkind::text, obj_description(c.oid, 'pg_class'), c.reltuples::float8
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND NOT c.relispartition
ORDER BY c.relname
"""
_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       bt.typname::text, bt.typcategory::text, col_description(c.oid, a.attnum)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND NOT c.relispartition
ORDER BY c.relname, a.attnum
"""
_KEY_NAMES = """ARRAY(SELECT a.attname FROM unnest(con.{keys}) WITH ORDINALITY k(num, pos)
       JOIN pg_attribute a ON a.attrelid = con.{rel} AND a.attnum = k.num ORDER BY k.pos)"""
_CONSTRAINTS = f"""
SELECT c.relname, con.contype::text, {_KEY_NAMES.format(keys="conkey", rel="conrelid")},
       fn.nspname, fc.relname, {_KEY_NAMES.format(keys="confkey", rel="confrelid")}
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE n.nspname = $1 AND con.contype IN ('p', 'f')
ORDER BY c.relname, con.conname
"""


async def introspect_postgres(
    conn: Connection, schema: str | None, tables: Sequence[str] | None
) -> Catalog:
    if schema is None:
        schema = str((await conn.fetch("SELECT current_schema()")).rows[0][0] or "public")
    table_rows = (await conn.fetch(_TABLES, [schema])).rows
    columns = group_by_table(
        [(r[0], _column(r)) for r in (await conn.fetch(_COLUMNS, [schema])).rows]
    )
    constraints = (await conn.fetch(_CONSTRAINTS, [schema])).rows
    primary = {r[0]: list(r[2]) for r in constraints if r[1] == "p"}
    foreign = group_by_table(
        [
            (r[0], ForeignKeyInfo(list(r[2]), r[3], r[4], list(r[5])))
            for r in constraints
            if r[1] == "f"
        ]
    )
    result = []
    for name, relkind, comment, reltuples in table_rows:
        if not wanted(name, tables):
            continue
        estimate = int(reltuples) if reltuples and reltuples > 0 else None
        if estimate is None:
            estimate = await _planner_estimate(conn, conn.qualified(schema, name))
        result.append(
            TableInfo(
                schema=schema,
                name=name,
                kind=_KINDS[relkind],
                columns=columns.get(name, []),
                primary_key=primary.get(name, []),
                foreign_keys=foreign.get(name, []),
                comment=comment,
                row_estimate=estimate,
            )
        )
    return Catalog(schema, result)


def _column(row: tuple[object, ...]) -> ColumnInfo:
    _, name, data_type, nullable, base_type, category, comment = row
    dimension, comparable, ordered = postgres_type(str(base_type), str(category))
    return ColumnInfo(
        str(name),
        str(data_type),
        dimension,
        bool(nullable),
        comparable,
        ordered,
        str(comment) if comment else None,
    )


async def _planner_estimate(conn: Connection, qualified: str) -> int | None:
    """The planner's row estimate: for a table never analyzed (reltuples -1) it scales the
    table's current size on disk, and for a view it plans the view's query; cheap either way."""
    try:
        plan = (await conn.fetch(f"EXPLAIN (FORMAT JSON) SELECT * FROM {qualified}")).rows[0][0]
    except DatasourceError:
        return None
    document = json.loads(plan) if isinstance(plan, str) else plan
    return int(document[0]["Plan"]["Plan Rows"])
