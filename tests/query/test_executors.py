"""Executors on real databases (DuckDB, PostgreSQL, MariaDB, SQLite): JSON-safe results,
truncation, read-only sessions, locked DuckDB configuration, and timeouts enforced by the
database."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from atlas_query.errors import DatasourceUnavailable, QueryFailed, QueryTimeout
from atlas_query.executors import (
    DuckDBExecutor,
    Executor,
    MySQLExecutor,
    PostgresExecutor,
    QueryResult,
    SQLiteExecutor,
    create_executor,
)
from atlas_query.executors.jsonsafe import iso_duration, json_safe
from atlas_query.settings import QuerySettings
from tests.query.fixtures.databases import (  # noqa: F401
    shop_duckdb,
    shop_mysql_url,
    shop_postgres_url,
    shop_sqlite,
)

TYPES_DUCKDB = """SELECT 1.50::DECIMAL(10, 2) AS price, 0.1::DECIMAL(38, 30) AS tiny,
  12345678901234567890.123::DECIMAL(38, 3) AS wide, DATE '2024-02-29' AS day,
  TIMESTAMPTZ '2024-03-01 10:00:00+02' AS zoned, TIMESTAMP '2024-03-01 10:00:00' AS naive,
  INTERVAL 3 DAY + INTERVAL 90 MINUTE AS span, 'ab'::BLOB AS raw, 'NaN'::DOUBLE AS nan,
  170141183460469231731687303715884105727::HUGEINT AS huge, [1, 2] AS list,
  {'a': 1} AS struct, MAP([1], ['x']) AS map, NULL AS nothing, TRUE AS yes"""

TYPES_POSTGRES = """SELECT 1.50::numeric(10, 2) AS price, 0.1::numeric AS tiny,
  12345678901234567890.123::numeric AS wide, DATE '2024-02-29' AS day,
  TIMESTAMPTZ '2024-03-01 10:00:00+02' AS zoned, TIMESTAMP '2024-03-01 10:00:00' AS naive,
  INTERVAL '3 days 90 minutes' AS span, 'ab'::bytea AS raw, 'NaN'::float8 AS nan,
  9007199254740993::int8 AS huge, ARRAY[1, 2] AS list, NULL::text AS nothing, TRUE AS yes"""

EXPECTED_ROW = {
    "price": 1.5, "tiny": 0.1, "wide": "12345678901234567890.123", "day": "2024-02-29",
    "zoned": "2024-03-01T08:00:00+00:00", "naive": "2024-03-01T10:00:00", "span": "P3DT1H30M",
    "raw": "YWI=", "nan": None, "list": [1, 2], "nothing": None, "yes": True,
}


@pytest.fixture
def duck(shop_duckdb: Path) -> DuckDBExecutor:
    return DuckDBExecutor(shop_duckdb, row_limit=5, timeout_ms=300)


@pytest.fixture
async def pg(shop_postgres_url: str):  # type: ignore[no-untyped-def]
    executor = PostgresExecutor(shop_postgres_url, row_limit=5, timeout_ms=300)
    yield executor
    await executor.close()


@pytest.fixture
async def my(shop_mysql_url: str):  # type: ignore[no-untyped-def]
    executor = MySQLExecutor(shop_mysql_url, row_limit=5, timeout_ms=300)
    yield executor
    await executor.close()


@pytest.fixture
async def lite(shop_sqlite: Path):  # type: ignore[no-untyped-def]
    executor = SQLiteExecutor(shop_sqlite, row_limit=5, timeout_ms=300)
    yield executor
    await executor.close()


@pytest.fixture(params=["duck", "pg", "my", "lite"])
async def executor(request: pytest.FixtureRequest, shop_duckdb: Path,  # type: ignore[no-untyped-def]
                   shop_postgres_url: str, shop_mysql_url: str, shop_sqlite: Path):
    """Each executor in turn, with a 5-row limit and a 300 ms timeout."""
    made: Executor
    if request.param == "duck":
        made = DuckDBExecutor(shop_duckdb, row_limit=5, timeout_ms=300)
    elif request.param == "pg":
        made = PostgresExecutor(shop_postgres_url, row_limit=5, timeout_ms=300)
    elif request.param == "my":
        made = MySQLExecutor(shop_mysql_url, row_limit=5, timeout_ms=300)
    else:
        made = SQLiteExecutor(shop_sqlite, row_limit=5, timeout_ms=300)
    yield made
    await made.close()


async def test_duckdb_results_are_json_safe(duck: DuckDBExecutor) -> None:
    result = await duck.execute(TYPES_DUCKDB)
    assert result.rows == [{**EXPECTED_ROW, "huge": "170141183460469231731687303715884105727",
                            "struct": {"a": 1}, "map": {"1": "x"}}]
    types = {c.name: c.type for c in result.columns}
    assert types["price"] == "DECIMAL(10,2)" and types["zoned"] == "TIMESTAMP WITH TIME ZONE"


async def test_postgres_results_are_json_safe(pg: PostgresExecutor) -> None:
    result = await pg.execute(TYPES_POSTGRES)
    assert result.rows == [{**EXPECTED_ROW, "huge": "9007199254740993"}]
    types = {c.name: c.type for c in result.columns}
    assert types["price"] == "numeric" and types["zoned"] == "timestamptz"


async def test_truncation_is_detected_with_one_extra_row(executor: Executor) -> None:
    cut = await executor.execute("SELECT id FROM orders ORDER BY id")
    exact = await executor.execute("SELECT id FROM orders ORDER BY id LIMIT 5")
    assert cut.rows == [{"id": i} for i in range(1, 6)] and cut.truncated
    assert exact.rows == cut.rows and not exact.truncated


async def test_duplicate_column_names_stay_apart(executor: Executor) -> None:
    result = await executor.execute("SELECT o.id, u.id, 3 AS id_2 FROM orders o "
                                    "JOIN users u ON u.id = o.user_id WHERE o.id = 1")
    assert [c.name for c in result.columns] == ["id", "id_3", "id_2"]
    assert result.rows == [{"id": 1, "id_3": 2, "id_2": 3}]


SLOW = {"duckdb": "SELECT COUNT(*) FROM range(100000000000) AS a",
        "postgres": "SELECT pg_sleep(5)",
        "mysql": "SELECT SLEEP(5)",
        "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                  "SELECT COUNT(*) FROM c"}


async def test_a_slow_query_is_stopped_at_the_limit(executor: Executor) -> None:
    slow = SLOW[executor.dialect]
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.02)
            ticks += 1

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        await executor.execute(slow)
    elapsed = time.monotonic() - started
    ticker.cancel()
    assert 0.25 <= elapsed < 2.0
    assert ticks >= 8  # the event loop kept running while the database worked
    assert (caught.value.code, caught.value.status_code) == ("timeout", 504)
    assert "300 ms" in caught.value.message
    assert (await executor.execute("SELECT 1 AS one")).rows == [{"one": 1}]


async def test_postgres_timeout_is_the_servers(pg: PostgresExecutor) -> None:
    result = await pg.execute("SELECT current_setting('statement_timeout') AS t, "
                              "current_setting('transaction_read_only') AS ro")
    assert result.rows == [{"t": "300ms", "ro": "on"}]


TYPES_MYSQL = """SELECT 1.50 AS price, CAST(0.1 AS DECIMAL(38, 30)) AS tiny,
  CAST('12345678901234567890.123' AS DECIMAL(38, 3)) AS wide, DATE '2024-02-29' AS day,
  TIMESTAMP '2024-03-01 10:00:00' AS naive, TIME '27:30:00' AS span, CAST('ab' AS BINARY) AS raw,
  9007199254740993 AS huge, NULL AS nothing, JSON_OBJECT('a', 1) AS doc"""


async def test_mysql_results_are_json_safe(my: MySQLExecutor) -> None:
    result = await my.execute(TYPES_MYSQL)
    assert result.rows == [{
        "price": 1.5, "tiny": 0.1, "wide": "12345678901234567890.123", "day": "2024-02-29",
        "naive": "2024-03-01T10:00:00", "span": "P1DT3H30M", "raw": "YWI=",
        "huge": "9007199254740993", "nothing": None, "doc": '{"a": 1}'}]
    types = {c.name: c.type for c in result.columns}
    assert types["price"] == "newdecimal" and types["naive"] == "datetime"


async def test_sqlite_results_are_json_safe(lite: SQLiteExecutor) -> None:
    result = await lite.execute("SELECT 1.5 AS price, x'6162' AS raw, 9007199254740993 AS huge, "
                                "NULL AS empty, created_at FROM orders WHERE id = 1")
    assert result.rows == [{"price": 1.5, "raw": "YWI=", "huge": "9007199254740993",
                            "empty": None, "created_at": "2024-01-02 10:00:00"}]
    assert [c.type for c in result.columns] == ["real", "blob", "integer", "null", "text"]


async def test_mysql_session_is_read_only_with_the_servers_timeout(my: MySQLExecutor) -> None:
    result = await my.execute("SELECT @@tx_read_only AS ro, @@max_statement_time AS t")
    assert result.rows == [{"ro": 1, "t": 0.3}]  # MariaDB: seconds


async def test_a_reset_session_stays_read_only(my: MySQLExecutor, lite: SQLiteExecutor) -> None:
    # Defense in depth against SQL that skipped the guard: each MySQL query runs in its own
    # READ ONLY transaction, and SQLite's authorizer refuses what is not a read.
    await my.execute("SET SESSION TRANSACTION READ WRITE")
    with pytest.raises(QueryFailed, match="read-only"):
        await my.execute("INSERT INTO secrets VALUES (5, 'x')")
    with pytest.raises(QueryFailed, match="not authorized"):
        await lite.execute("PRAGMA query_only = 0")
    assert (await my.execute("SELECT COUNT(*) AS n FROM secrets")).rows == [{"n": 1}]


REFUSED_BY_THE_DATABASE = {
    "postgres": [("CREATE TABLE stolen (a int)", "read-only transaction"),
                 ("SELECT * FROM secrets FOR UPDATE", "read-only transaction")],
    "duckdb": [("CREATE TABLE stolen (a INTEGER)", "read-only"),
               ("SELECT * FROM read_csv('/etc/passwd')", "disabled by configuration"),
               ("SET enable_external_access = true", "locked"),
               ("ATTACH '/tmp/other.duckdb' AS other", "disabled by configuration")],
    "mysql": [("CREATE TABLE stolen (a int)", "read-only"),
              ("SELECT * FROM secrets FOR UPDATE", "read-only"),
              ("UPDATE orders SET status = 'x'", "read-only")],
    "sqlite": [("CREATE TABLE stolen (a INTEGER)", "not authorized"),
               ("ATTACH '/tmp/atlas-attached.db' AS other", "not authorized"),
               ("SELECT load_extension('/tmp/evil.so')", "not authorized"),
               ("DELETE FROM orders", "not authorized"),
               ("PRAGMA writable_schema = ON", "not authorized")],
}


async def test_the_database_refuses_what_the_guard_would(executor: Executor) -> None:
    # Defense in depth: even SQL that skipped the guard cannot write or reach outside.
    for sql, words in REFUSED_BY_THE_DATABASE[executor.dialect]:
        with pytest.raises(QueryFailed, match=words):
            await executor.execute(sql)


async def test_a_cancelled_duckdb_query_stops(shop_duckdb: Path) -> None:
    executor = DuckDBExecutor(shop_duckdb, row_limit=5, timeout_ms=60_000)
    task = asyncio.create_task(executor.execute("SELECT COUNT(*) FROM range(100000000000)"))
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = time.monotonic()
    assert (await executor.execute("SELECT 2 AS two")).rows == [{"two": 2}]
    assert time.monotonic() - started < 2.0


async def test_unreachable_datasources(tmp_path: Path) -> None:
    with pytest.raises(DatasourceUnavailable, match="does not exist"):
        await DuckDBExecutor(tmp_path / "absent.duckdb", row_limit=5, timeout_ms=300).ping()
    closed_port = PostgresExecutor("postgresql://postgres@127.0.0.1:9/postgres", row_limit=5,
                                   timeout_ms=300)
    with pytest.raises(DatasourceUnavailable) as caught:
        await closed_port.ping()
    assert caught.value.code == "no_datasource" and "127.0.0.1" not in caught.value.message
    with pytest.raises(DatasourceUnavailable) as caught:
        await MySQLExecutor("mysql://root:hunter2@127.0.0.1:9/shop", row_limit=5,
                            timeout_ms=300).ping()
    assert "hunter2" not in caught.value.message and "127.0.0.1" not in caught.value.message
    with pytest.raises(DatasourceUnavailable, match="does not exist"):
        await SQLiteExecutor(tmp_path / "absent.sqlite", row_limit=5, timeout_ms=300).ping()


@pytest.mark.parametrize(("url", "kind", "path"), [
    ("", DuckDBExecutor, "var/demo.duckdb"),
    ("duckdb:////data/shop.duckdb", DuckDBExecutor, "/data/shop.duckdb"),
    ("duckdb:///data/shop.duckdb", DuckDBExecutor, "data/shop.duckdb"),
    ("shop.duckdb", DuckDBExecutor, "shop.duckdb"),
    ("postgresql://u:p@db:5432/x", PostgresExecutor, None),
    ("postgres://db/x", PostgresExecutor, None),
    ("mysql://u:p@db:3306/shop", MySQLExecutor, None),
    ("mariadb://db/shop", MySQLExecutor, None),
    ("sqlite:////data/shop.sqlite", SQLiteExecutor, "/data/shop.sqlite"),
    ("sqlite:///shop.sqlite", SQLiteExecutor, "shop.sqlite"),
    ("data/shop.sqlite3", SQLiteExecutor, "data/shop.sqlite3"),
])
def test_factory_picks_the_executor(url: str, kind: type, path: str | None) -> None:
    executor = create_executor(QuerySettings(datasource_url=url))
    assert isinstance(executor, kind)
    if path is not None:
        assert isinstance(executor, DuckDBExecutor | SQLiteExecutor)
        assert executor.path == Path(path)


def test_the_mysql_default_schema_is_the_urls_database() -> None:
    executor = create_executor(QuerySettings(datasource_url="mysql://u@db/shop"))
    assert (executor.dialect, executor.default_schema) == ("mysql", "shop")


@pytest.mark.parametrize("url", ["oracle://db/x", "mysql://db", "sqlite://shop.sqlite"])
def test_factory_refuses_unusable_urls(url: str) -> None:
    with pytest.raises(DatasourceUnavailable, match="ATLAS_DATASOURCE_URL") as caught:
        create_executor(QuerySettings(datasource_url=url))
    assert caught.value.code == "no_datasource"


def test_an_unknown_scheme_names_the_supported_ones() -> None:
    with pytest.raises(DatasourceUnavailable) as caught:
        create_executor(QuerySettings(datasource_url="oracle://db/x"))
    for scheme in ("postgresql://", "mysql://", "sqlite:///", "duckdb:///"):
        assert scheme in caught.value.message


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("12.30"), 12.3), (Decimal("7.000"), 7), (Decimal("NaN"), None),
    (Decimal("0.1000000000000000055511151231257827"), "0.1000000000000000055511151231257827"),
    (2**53 - 1, 2**53 - 1), (-(2**53), str(-(2**53))), (float("inf"), None),
    ({1: {2, 3}}, {"1": [2, 3]}), (b"\x00\xff", "AP8="),
])
def test_json_safe(value: object, expected: object) -> None:
    assert json_safe(value) == expected


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(0), "PT0S"), (timedelta(days=2), "P2D"), (timedelta(seconds=90.5), "PT1M30.5S"),
    (-timedelta(days=1, hours=2), "-P1DT2H"), (timedelta(microseconds=1), "PT0.000001S"),
])
def test_iso_durations(delta: timedelta, text: str) -> None:
    assert iso_duration(delta) == text


def test_query_result_defaults() -> None:
    assert QueryResult().model_dump() == {"columns": [], "rows": [], "truncated": False}
