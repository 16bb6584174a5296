"""The expected answer to a question: its hand-written SQL run on the sample database itself.

Rows are normalized so that the four dialects (and an answer Atlas gives) compare equal: every
number becomes a float rounded to 2 decimals (SQLite sums REALs, MariaDB sums integers into
DECIMAL), dates and times ISO text; unordered answers are sorted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import asyncpg
import duckdb

from tests.support.mariadb import connect as mysql_connect
from tests.support.sample_schemas.databases import SampleDatabase, off_loop
from tests.support.sample_schemas.model import Question

Row = tuple[Any, ...]


def normalize_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 2)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def normalize_rows(rows: Iterable[Sequence[Any]], *, ordered: bool) -> list[Row]:
    """``ordered``: a "top N" answer, ranked by its last column, largest first; rows tied on it
    may come in any order (Metallica and U2 both have 10 albums), so ties are sorted too."""
    out = sorted((tuple(normalize_value(v) for v in row) for row in rows), key=repr)
    return sorted(out, key=lambda row: -row[-1]) if ordered else out


async def _postgres(url: str, sql: str) -> list[Row]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def _mysql(url: str, sql: str) -> list[Row]:
    conn = mysql_connect(url)
    try:
        with conn.cursor() as cursor:
            # The questions quote identifiers the standard way ("Customer").
            cursor.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')")
            cursor.execute(sql)
            return list(cursor.fetchall())
    finally:
        conn.close()


def run_sql(db: SampleDatabase, sql: str) -> list[Row]:
    """``sql``'s rows as the database's driver returns them (read-only for the files); from
    an async test too (in a thread then)."""
    return off_loop(_run_sql, db, sql)


def _run_sql(db: SampleDatabase, sql: str) -> list[Row]:
    if db.dialect == "postgres":
        return asyncio.run(_postgres(db.url, sql))
    if db.dialect == "mysql":
        return _mysql(db.url, sql)
    assert db.path is not None
    if db.dialect == "duckdb":
        with duckdb.connect(str(db.path), read_only=True) as conn:
            return conn.execute(sql).fetchall()
    lite = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    try:
        return lite.execute(sql).fetchall()
    finally:
        lite.close()


def expected_answer(db: SampleDatabase, question: Question) -> list[Row]:
    """The rows that answer ``question`` on ``db``, normalized."""
    return normalize_rows(run_sql(db, question.sql), ordered=question.ordered)


def row_counts(db: SampleDatabase) -> dict[str, int]:
    quote = "`" if db.dialect == "mysql" else '"'
    return {
        t.name: int(run_sql(db, f"SELECT COUNT(*) FROM {quote}{t.name}{quote}")[0][0])
        for t in db.schema.tables
    }
