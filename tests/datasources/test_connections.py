"""Read-only sessions, statement timeouts and one-line errors, on the real servers and files."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlas_datasources import DatasourceError, connect, profile_database

from tests.datasources import servers

SECRET = "wrong-s3cret"
SLOW_SQL = {
    "postgres": "SELECT pg_sleep(5)",
    "mysql": "SELECT SLEEP(5)",
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
    "SELECT count(*) FROM c",
    "duckdb": "SELECT sum(a.range * b.range) FROM range(1000000000) a, range(1000000) b",
}
WRITES = [
    "INSERT INTO customers (id, name) VALUES (999, 'intruder')",
    "UPDATE customers SET name = 'changed'",
    "DELETE FROM customers",
    "CREATE TABLE intruder (id INTEGER)",
]


@pytest.mark.parametrize("write", WRITES)
async def test_writes_are_refused(shop_urls: dict[str, str], dialect: str, write: str) -> None:
    async with await connect(shop_urls[dialect]) as conn:
        with pytest.raises(DatasourceError) as caught:
            await conn.fetch(write)
        assert caught.value.kind == "read_only", caught.value
        rows = (await conn.fetch("SELECT count(*), min(name) FROM customers")).rows
    assert rows[0][0] == 40 and rows[0][1] != "changed"


async def test_a_statement_past_the_timeout_is_stopped(
    shop_urls: dict[str, str], dialect: str
) -> None:
    async with await connect(shop_urls[dialect], statement_timeout_s=0.5) as conn:
        with pytest.raises(DatasourceError) as caught:
            await conn.fetch(SLOW_SQL[dialect])
        assert caught.value.kind == "timeout"
        assert "timed out after 0.5 s" in str(caught.value)
        # The session survives its timeout.
        assert (await conn.fetch("SELECT 1")).rows == [(1,)]


async def test_fetch_returns_column_names_and_takes_parameters(
    shop_urls: dict[str, str], dialect: str
) -> None:
    async with await connect(shop_urls[dialect]) as conn:
        mark = conn.placeholder(1)
        result = await conn.fetch(
            f"SELECT id, name FROM customers WHERE id = {mark} ORDER BY id", [7]
        )
    assert [c.lower() for c in result.columns] == ["id", "name"]
    assert result.rows == [(7, "customer 7")]


def _refused(kind: str, message: str) -> None:
    assert "\n" not in message and SECRET not in message, message
    assert len(message) < 300


@pytest.mark.parametrize(
    ("url", "kind", "says"),
    [
        (f"postgresql://no_such_role_h18:{SECRET}@127.0.0.1:5432/postgres", "auth",
         "refused the login of user 'no_such_role_h18'"),
        ("postgresql://postgres@127.0.0.1:5432/no_such_db_h18", "unknown_database",
         "has no database 'no_such_db_h18'"),
        (f"postgresql://postgres:{SECRET}@127.0.0.1:1/postgres", "unreachable", "cannot reach"),
        (servers.mysql_url("mysql", password=SECRET), "auth", "refused the login of user"),
        (servers.mysql_url("no_such_db_h18"), "unknown_database", "has no database"),
        (f"mysql://root:{SECRET}@127.0.0.1:1/x", "unreachable", "cannot reach MySQL"),
        ("sqlite:////nonexistent/dir/shop.sqlite", "unknown_database", "does not exist"),
        ("duckdb:////nonexistent/dir/shop.duckdb", "unknown_database", "does not exist"),
    ],
)  # fmt: skip
async def test_cannot_connect_is_one_clear_line(url: str, kind: str, says: str) -> None:
    with pytest.raises(DatasourceError) as caught:
        await connect(url, connect_timeout_s=5)
    assert caught.value.kind == kind
    assert says in str(caught.value)
    _refused(kind, str(caught.value))
    # profile_database says the same (atlas init prints it as it is).
    with pytest.raises(DatasourceError) as again:
        await profile_database(url)
    assert str(again.value) == str(caught.value)


@pytest.mark.parametrize(("suffix", "kind"), [(".sqlite", "sqlite"), (".duckdb", "duckdb")])
async def test_a_file_that_is_not_a_database(tmp_path: Path, suffix: str, kind: str) -> None:
    junk = tmp_path / f"notes{suffix}"
    junk.write_text("these are notes, not a database\n" * 200)
    with pytest.raises(DatasourceError) as caught:
        await connect(str(junk))
    assert caught.value.kind == "not_a_database"
    assert str(caught.value).startswith(f"notes{suffix} is not a")
    assert "\n" not in str(caught.value)
