"""The shop schema (``shop``) in a fresh database or file per dialect, removed afterwards.

PostgreSQL databases come from ``tests.support.isolation`` (the house way); MariaDB ones from
``tests.support.mariadb`` (``ATLAS_TEST_MYSQL_URL``, default root on 127.0.0.1:3306).
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import duckdb

from tests.datasources import shop
from tests.support import isolation, mariadb

SLOW_VIEW = {
    # Reading each of these runs past any small statement timeout.
    "postgres": "CREATE VIEW slow_view AS SELECT pg_sleep(5)::text AS x",
    "mysql": "CREATE VIEW slow_view AS SELECT SLEEP(5) AS x",
    "sqlite": "CREATE VIEW slow_view AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
    "SELECT x + 1 FROM c) SELECT x FROM c",
    "duckdb": "CREATE VIEW slow_view AS SELECT a.range * b.range AS x "
    "FROM range(1000000000) a, range(1000000) b",
}


def run_name() -> str:
    return f"atlas_test_ds_{uuid.uuid4().hex[:10]}"


# PostgreSQL ----------------------------------------------------------------------------------


def create_postgres(name: str) -> str:
    url = isolation.create_database(name)
    asyncio.run(_load_postgres(url))
    return url


async def _load_postgres(url: str) -> None:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        for statement in shop.create_statements("postgres"):
            await conn.execute(statement)
        for table in shop.TABLES:
            await conn.copy_records_to_table(table.name, records=shop.ROWS[table.name])
        await conn.execute(
            "CREATE MATERIALIZED VIEW order_totals AS "
            "SELECT customer_id, sum(total_cents) AS total FROM orders GROUP BY customer_id"
        )
        await conn.execute(SLOW_VIEW["postgres"])
        await conn.execute("CREATE SCHEMA sales")
        await conn.execute("CREATE TABLE sales.leads (id integer PRIMARY KEY, source text)")
        await conn.execute("INSERT INTO sales.leads VALUES (1, 'web'), (2, 'fair')")
        await conn.execute("ANALYZE")  # catalog estimates as after a day of autovacuum
    finally:
        await conn.close()


def drop_postgres(name: str) -> None:
    isolation.drop_database(name)


# MariaDB / MySQL -----------------------------------------------------------------------------


def mysql_url(name: str, *, password: str | None = None) -> str:
    """The URL of database ``name`` on the test server, with another password if given."""
    parts = urlsplit(mariadb.BASE_MYSQL_URL)
    user = parts.username or "root"
    secret = (
        f":{password}" if password is not None else (f":{parts.password}" if parts.password else "")
    )
    return f"mysql://{user}{secret}@{parts.hostname or '127.0.0.1'}:{parts.port or 3306}/{name}"


def create_mysql(name: str) -> str:
    url = mariadb.create_database(name)
    conn = mariadb.connect(url)
    try:
        cursor = conn.cursor()
        for statement in shop.create_statements("mysql"):
            cursor.execute(statement)
        for table in shop.TABLES:
            marks = ", ".join(["%s"] * len(table.columns))
            cursor.executemany(
                f"INSERT INTO `{table.name}` VALUES ({marks})", shop.ROWS[table.name]
            )
        cursor.execute(SLOW_VIEW["mysql"])
        cursor.execute("ANALYZE TABLE " + ", ".join(f"`{t}`" for t in shop.TABLE_NAMES))
        cursor.fetchall()
    finally:
        conn.close()
    return url


def drop_mysql(name: str) -> None:
    mariadb.drop_database(name)


# Files ---------------------------------------------------------------------------------------


def create_sqlite(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        for statement in shop.create_statements("sqlite"):
            conn.execute(statement)
        for table in shop.TABLES:
            marks = ", ".join(["?"] * len(table.columns))
            rows = [tuple(_sqlite_value(v) for v in row) for row in shop.ROWS[table.name]]
            conn.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', rows)
        conn.execute(SLOW_VIEW["sqlite"])
        conn.commit()
    finally:
        conn.close()
    return f"sqlite:///{path}"


def _sqlite_value(value: object) -> object:
    return str(value) if not isinstance(value, int | float | str | bytes | type(None)) else value


def create_duckdb(path: Path) -> str:
    conn = duckdb.connect(str(path))
    try:
        for statement in shop.create_statements("duckdb"):
            conn.execute(statement)
        for table in shop.TABLES:
            conn.execute(shop.insert_literals(table, "duckdb"))
        conn.execute(SLOW_VIEW["duckdb"])
    finally:
        conn.close()
    return f"duckdb:///{path}"
