"""The public sample schemas load alike in four dialects, and their hand-checked truth holds.

What the later tests (profiling, `atlas init`, answers) stand on: the same rows in PostgreSQL,
MariaDB, DuckDB and SQLite; the foreign keys declared exactly when asked; each question's SQL
giving one answer everywhere, unambiguous for "top 5"; every inferable key true in the data.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import duckdb
import pytest
from atlas_datasources import profile_database
from atlas_datasources.model import DatabaseProfile

from tests.support.isolation import BASE_DATABASE_URL
from tests.support.sample_schemas import DIALECTS, FK, SCHEMAS, SampleDatabases
from tests.support.sample_schemas.answers import expected_answer, row_counts, run_sql
from tests.support.sample_schemas.databases import TEST_TPCH_SCALE, SampleDatabase

# Chinook 1.4's published row counts.
CHINOOK_ROWS = {
    "Artist": 275,
    "Album": 347,
    "Employee": 8,
    "Customer": 59,
    "Genre": 25,
    "MediaType": 5,
    "Playlist": 18,
    "Track": 3503,
    "Invoice": 412,
    "InvoiceLine": 2240,
    "PlaylistTrack": 8715,
}
# TPC-H 4.2.5: rows per scale factor (region and nation are fixed; lineitem varies, 1..7 per
# order, so it is checked against orders).
TPCH_ROWS_PER_SF = {
    "supplier": 10_000,
    "part": 200_000,
    "partsupp": 800_000,
    "customer": 150_000,
    "orders": 1_500_000,
}

FKKey = tuple[str, tuple[str, ...], str, tuple[str, ...]]
QUESTIONS = [(name, q) for name, schema in SCHEMAS.items() for q in schema.questions]
VARIANTS = [(s, d, fk) for s in SCHEMAS for d in DIALECTS for fk in (True, False)]


def _variant_id(value: object) -> str:
    if isinstance(value, bool):
        return "fk" if value else "nofk"
    return str(value)


@pytest.mark.parametrize("schema", list(SCHEMAS))
def test_every_dialect_and_variant_holds_the_same_rows(
    sample_databases: SampleDatabases, schema: str
) -> None:
    counts = {
        (dialect, fks): row_counts(sample_databases.get(schema, dialect, declared_fks=fks))
        for dialect in DIALECTS
        for fks in (True, False)
    }
    reference = counts[("duckdb", True)]
    assert all(c == reference for c in counts.values()), counts
    if schema == "chinook":
        assert reference == CHINOOK_ROWS
    else:
        assert reference["region"] == 5 and reference["nation"] == 25
        for table, per_sf in TPCH_ROWS_PER_SF.items():
            assert reference[table] == round(per_sf * TEST_TPCH_SCALE), table
        assert 3.5 < reference["lineitem"] / reference["orders"] < 4.5


def _catalog_fk_count(db: SampleDatabase) -> int:
    if db.dialect == "postgres":
        sql = (
            "SELECT COUNT(*) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
        )
    elif db.dialect == "mysql":
        sql = (
            "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = DATABASE()"
        )
    elif db.dialect == "duckdb":
        sql = "SELECT COUNT(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'"
    else:
        sql = " + ".join(
            f"(SELECT COUNT(DISTINCT id) FROM pragma_foreign_key_list('{t.name}'))"
            for t in db.schema.tables
        )
        sql = f"SELECT {sql}"
    return int(run_sql(db, sql)[0][0])


@pytest.mark.parametrize(("schema", "dialect", "declared"), VARIANTS, ids=_variant_id)
def test_foreign_keys_are_declared_only_in_the_fk_variant(
    sample_databases: SampleDatabases, schema: str, dialect: str, declared: bool
) -> None:
    db = sample_databases.get(schema, dialect, declared_fks=declared)  # type: ignore[arg-type]
    expected = len(db.schema.declared_fks) if declared else 0
    assert _catalog_fk_count(db) == expected


@pytest.mark.parametrize(("schema", "question"), QUESTIONS, ids=[q.id for _, q in QUESTIONS])
def test_a_question_has_one_answer_in_every_dialect(
    sample_databases: SampleDatabases, schema: str, question: object
) -> None:
    from tests.support.sample_schemas.model import Question

    assert isinstance(question, Question)
    answers = {
        dialect: expected_answer(sample_databases.get(schema, dialect), question)
        for dialect in DIALECTS
    }
    assert answers["duckdb"], f"{question.id} has no rows"
    for dialect, rows in answers.items():
        assert rows == answers["duckdb"], f"{question.id}: {dialect} differs"
    if question.kind == "count":
        assert len(answers["duckdb"]) == 1 and answers["duckdb"][0][0] > 0
    if question.kind == "top":
        _assert_top_five_is_unambiguous(sample_databases.get(schema, "duckdb"), question.sql)


def _assert_top_five_is_unambiguous(db: SampleDatabase, sql: str) -> None:
    """A tie between the 5th and the 6th would make two answers right: the list avoids one."""
    assert sql.endswith("LIMIT 5")
    rows = run_sql(db, sql[: -len("5")] + "6")
    assert len(rows) == 6 and rows[4][-1] != rows[5][-1], rows


def test_the_truth_names_real_tables_and_keys() -> None:
    for schema in SCHEMAS.values():
        tables = {t.name: t for t in schema.tables}
        truth = (*schema.declared_fks, *schema.inference.expected, *schema.inference.acceptable)
        for fk in truth:
            assert set(fk.columns) <= set(tables[fk.table].column_names), fk
            assert fk.ref_columns == tables[fk.ref_table].primary_key, fk
        kinds = [q.kind for q in schema.questions]
        assert len(kinds) >= 6 and {"count", "total_by", "top"} <= set(kinds)
        assert len({q.id for q in schema.questions}) == len(kinds)


def _orphans(db: SampleDatabase, fk: FK) -> int:

    def q(name: str) -> str:
        return f'"{name}"'  # DuckDB

    on = " AND ".join(
        f"r.{q(rc)} = c.{q(cc)}" for cc, rc in zip(fk.columns, fk.ref_columns, strict=True)
    )
    some = " AND ".join(f"c.{q(cc)} IS NOT NULL" for cc in fk.columns)
    sql = (
        f"SELECT COUNT(*) FROM {q(fk.table)} c LEFT JOIN {q(fk.ref_table)} r ON {on} "
        f"WHERE {some} AND r.{q(fk.ref_columns[0])} IS NULL"
    )
    return int(run_sql(db, sql)[0][0])


@pytest.mark.parametrize("schema", list(SCHEMAS))
def test_every_key_inference_may_find_holds_in_the_rows(
    sample_databases: SampleDatabases, schema: str
) -> None:
    db = sample_databases.get(schema, "duckdb", declared_fks=False)
    truth = (
        *db.schema.declared_fks,
        *db.schema.inference.expected,
        *db.schema.inference.acceptable,
    )
    assert {str(fk): _orphans(db, fk) for fk in truth} == {str(fk): 0 for fk in truth}


def test_files_are_plain_duckdb_and_sqlite(sample_databases: SampleDatabases) -> None:
    """The URLs name the files (absolute: four slashes) that the drivers open as they are."""
    duck = sample_databases.get("chinook", "duckdb")
    lite = sample_databases.get("chinook", "sqlite")
    assert duck.path and duck.url == f"duckdb:///{duck.path.resolve()}"
    assert lite.path and lite.url == f"sqlite:///{lite.path.resolve()}"
    with duckdb.connect(str(duck.path), read_only=True) as conn:
        assert conn.execute('SELECT COUNT(*) FROM "Track"').fetchall() == [(3503,)]
    with sqlite3.connect(lite.path) as conn:
        assert conn.execute('SELECT COUNT(*) FROM "Track"').fetchall() == [(3503,)]


# --- profile_database on each (schema, dialect) -------------------------------------------


def _keys(profile: DatabaseProfile, *, inferred: bool) -> set[FKKey]:
    return {
        (
            table.name.lower(),
            tuple(c.lower() for c in fk.columns),
            fk.ref_table.lower(),
            tuple(c.lower() for c in fk.ref_columns),
        )
        for table in profile.tables
        for fk in table.foreign_keys
        if fk.inferred == inferred
    }


def _show(keys: set[FKKey]) -> list[str]:
    return sorted(f"{t}({','.join(c)}) -> {r}({','.join(rc)})" for t, c, r, rc in keys)


async def test_profiling_finds_every_table_and_every_declared_key(
    sample_database: SampleDatabase,
) -> None:
    profile = await profile_database(sample_database.url)
    schema = sample_database.schema
    assert sorted(t.name for t in profile.tables) == sorted(t.name for t in schema.tables)
    assert _show(_keys(profile, inferred=False)) == _show({fk.key for fk in schema.declared_fks})
    allowed = {fk.key for fk in (*schema.inference.expected, *schema.inference.acceptable)}
    assert _show(_keys(profile, inferred=True) - allowed) == [], "wrongly inferred"
    assert profile.warnings == []


async def test_inference_finds_the_hand_checked_keys_and_no_wrong_one(
    sample_database_nofk: SampleDatabase,
) -> None:
    """Precision: every inferred key is on the hand-checked list. Recall: every key that names
    and values make plain is found (the assertion lists what is missed)."""
    profile = await profile_database(sample_database_nofk.url)
    truth = sample_database_nofk.schema.inference
    inferred = _keys(profile, inferred=True)
    assert _keys(profile, inferred=False) == set()
    allowed = {fk.key for fk in (*truth.expected, *truth.acceptable)}
    assert _show(inferred - allowed) == [], "wrongly inferred"
    assert _show({fk.key for fk in truth.expected} - inferred) == [], "missed"


async def test_databases_and_answers_are_usable_from_async_tests(tmp_path: Path) -> None:
    """``get``, ``run_sql`` and ``close`` use ``asyncio.run`` inside: from a running loop, they
    run in a thread."""
    databases = SampleDatabases(tmp_path)
    try:
        db = databases.get("chinook", "postgres", declared_fks=False)
        assert run_sql(db, 'SELECT COUNT(*) FROM "Genre"') == [(25,)]
    finally:
        databases.close()
    conn = await asyncpg.connect(BASE_DATABASE_URL)
    try:
        assert (
            await conn.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", db.name) == 0
        )
    finally:
        await conn.close()
