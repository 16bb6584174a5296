"""Put a sample schema into PostgreSQL, MariaDB, a DuckDB file or a SQLite file.

Every loader reads the rows from one source, an in-memory DuckDB whose schema ``src`` has a view
per table (``databases.open_source``), creates the tables with their primary keys and, when asked,
the foreign keys the original declares, then copies the rows in: the four databases hold the
same rows. The target database (PostgreSQL, MariaDB) exists and is empty; files are created.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import duckdb

from tests.support.mariadb import connect as mysql_connect
from tests.support.sample_schemas.ddl import create_table, quote
from tests.support.sample_schemas.model import FK, SampleSchema, Table

BATCH = 5_000
Row = tuple[Any, ...]


class Source:
    """A schema's rows: ``conn``, an in-memory DuckDB with a ``src.<table>`` view per table, and
    the rows read from it as Python tuples, kept once read (the Python loaders share them)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection) -> None:
        self.conn = conn
        self._batches: dict[str, list[list[Row]]] = {}

    def batches(self, table: Table) -> list[list[Row]]:
        if table.name not in self._batches:
            self._batches[table.name] = list(self._read(table))
        return self._batches[table.name]

    def _read(self, table: Table) -> Iterator[list[Row]]:
        cursor = self.conn.cursor()
        try:
            cursor.execute(f"SELECT * FROM src.{quote(table.name, 'duckdb')}")
            while batch := cursor.fetchmany(BATCH):
                yield batch
        finally:
            cursor.close()

    def close(self) -> None:
        self._batches.clear()
        self.conn.close()


def _fks(schema: SampleSchema, table: Table, declare_fks: bool) -> list[FK]:
    return schema.fks_of(table.name) if declare_fks else []


def load_duckdb(schema: SampleSchema, source: Source, path: Path, *, declare_fks: bool) -> None:
    """A DuckDB file, filled by DuckDB itself straight from the source (no Python rows)."""
    cursor = source.conn.cursor()
    try:
        escaped = str(path).replace("'", "''")
        cursor.execute(f"ATTACH '{escaped}' AS dst")
        cursor.execute("USE dst")  # REFERENCES takes no catalog: create the tables in dst
        for table in schema.load_order():
            name = quote(table.name, "duckdb")
            fks = _fks(schema, table, declare_fks)
            cursor.execute(create_table(table, fks, "duckdb"))
            if any(fk.ref_table == table.name for fk in fks):
                _insert_row_by_row(cursor, table)
            else:
                cursor.execute(f"INSERT INTO {name} SELECT * FROM memory.src.{name}")
        cursor.execute("USE memory")
        cursor.execute("DETACH dst")
    finally:
        cursor.close()


def _insert_row_by_row(cursor: duckdb.DuckDBPyConnection, table: Table) -> None:
    """DuckDB checks a self reference against the rows before the statement: one row at a
    time, in key order (a manager's id is lower than the report's, as in Chinook)."""
    name, key = quote(table.name, "duckdb"), quote(table.primary_key[0], "duckdb")
    keys = cursor.execute(f"SELECT {key} FROM memory.src.{name} ORDER BY {key}").fetchall()
    for (value,) in keys:
        cursor.execute(
            f"INSERT INTO {name} SELECT * FROM memory.src.{name} WHERE {key} = ?", [value]
        )


def _sqlite_value(value: Any) -> Any:
    # What the original Chinook SQLite file stores: REAL for NUMERIC(10,2), ISO text for times.
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def load_sqlite(schema: SampleSchema, source: Source, path: Path, *, declare_fks: bool) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        for table in schema.load_order():
            conn.execute(create_table(table, _fks(schema, table, declare_fks), "sqlite"))
            insert = (
                f"INSERT INTO {quote(table.name, 'sqlite')} VALUES "
                f"({', '.join('?' * len(table.columns))})"
            )
            for batch in source.batches(table):
                conn.executemany(insert, [tuple(map(_sqlite_value, r)) for r in batch])
        conn.commit()
    finally:
        conn.close()


async def _load_postgres(schema: SampleSchema, source: Source, url: str, declare_fks: bool) -> None:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        for table in schema.load_order():
            await conn.execute(create_table(table, _fks(schema, table, declare_fks), "postgres"))
            for batch in source.batches(table):
                await conn.copy_records_to_table(
                    table.name, records=batch, columns=table.column_names
                )
        await conn.execute("ANALYZE")  # catalog estimates, as a live database has them
    finally:
        await conn.close()


def load_postgres(schema: SampleSchema, source: Source, url: str, *, declare_fks: bool) -> None:
    asyncio.run(_load_postgres(schema, source, url, declare_fks))


def load_mysql(schema: SampleSchema, source: Source, url: str, *, declare_fks: bool) -> None:
    conn = mysql_connect(url)
    try:
        with conn.cursor() as cursor:
            for table in schema.load_order():
                cursor.execute(create_table(table, _fks(schema, table, declare_fks), "mysql"))
                cols = ", ".join(quote(c, "mysql") for c in table.column_names)
                # pymysql turns executemany of one INSERT ... VALUES into multi-row statements.
                insert = (
                    f"INSERT INTO {quote(table.name, 'mysql')} ({cols}) VALUES "
                    f"({', '.join(['%s'] * len(table.columns))})"
                )
                for batch in source.batches(table):
                    cursor.executemany(insert, batch)
            cursor.execute(
                "ANALYZE TABLE " + ", ".join(quote(t.name, "mysql") for t in schema.tables)
            )
            cursor.fetchall()
    finally:
        conn.close()
