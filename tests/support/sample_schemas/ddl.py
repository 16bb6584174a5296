"""CREATE TABLE per dialect from a schema's generic column types, keys as the original has them."""

from __future__ import annotations

import re

from tests.support.sample_schemas.model import FK, Dialect, Table

_TYPES: dict[str, dict[Dialect, str]] = {
    "int": {"postgres": "integer", "mysql": "INT", "duckdb": "INTEGER", "sqlite": "INTEGER"},
    "bigint": {"postgres": "bigint", "mysql": "BIGINT", "duckdb": "BIGINT", "sqlite": "INTEGER"},
    "date": {"postgres": "date", "mysql": "DATE", "duckdb": "DATE", "sqlite": "DATE"},
    "timestamp": {
        "postgres": "timestamp",
        "mysql": "DATETIME",
        "duckdb": "TIMESTAMP",
        "sqlite": "DATETIME",
    },
}
_SIZED = re.compile(r"(decimal|varchar|char)\((\d+(?:,\d+)?)\)")


def column_type(generic: str, dialect: Dialect) -> str:
    """The dialect's spelling of a generic type (SQLite keeps the declared name: its affinity)."""
    if generic in _TYPES:
        return _TYPES[generic][dialect]
    match = _SIZED.fullmatch(generic)
    if not match:
        raise ValueError(f"unknown generic type {generic!r}")
    kind, size = match.groups()
    if dialect == "duckdb" and kind != "decimal":
        return "VARCHAR"  # DuckDB ignores lengths; CHAR(n) is VARCHAR there anyway
    name = {"decimal": "numeric" if dialect == "postgres" else "DECIMAL"}.get(kind, kind.upper())
    return f"{name}({size})"


def duckdb_type(generic: str) -> str:
    return column_type(generic, "duckdb")


def quote(name: str, dialect: Dialect) -> str:
    if dialect == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def create_table(table: Table, fks: list[FK], dialect: Dialect, prefix: str = "") -> str:
    """``CREATE TABLE`` with its primary key and ``fks`` as table constraints."""

    def q(name: str) -> str:
        return quote(name, dialect)

    parts = [
        f"{q(c.name)} {column_type(c.type, dialect)}{'' if c.nullable else ' NOT NULL'}"
        for c in table.columns
    ]
    parts.append(f"PRIMARY KEY ({', '.join(map(q, table.primary_key))})")
    parts += [
        f"FOREIGN KEY ({', '.join(map(q, fk.columns))}) "
        f"REFERENCES {prefix}{q(fk.ref_table)} ({', '.join(map(q, fk.ref_columns))})"
        for fk in fks
    ]
    body = ",\n  ".join(parts)
    suffix = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" if dialect == "mysql" else ""
    return f"CREATE TABLE {prefix}{q(table.name)} (\n  {body}\n){suffix}"
