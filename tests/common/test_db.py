"""Migrations on the real PostgreSQL: once under concurrency, forward-only."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from atlas_common.db import MigrationError, create_pool, migrate
from tests.support.isolation import Isolation


async def test_concurrent_starts_apply_each_migration_once(
    isolation: Isolation, tmp_path: Path
) -> None:
    (tmp_path / "0001_counter.sql").write_text(
        "CREATE TABLE counter (n int); INSERT INTO counter VALUES (1);"
    )
    (tmp_path / "0002_more.sql").write_text("INSERT INTO counter VALUES (2);")
    pools = [await create_pool(isolation.database_url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(p, "mig_a", tmp_path) for p in pools))
        assert sorted(len(r) for r in results) == [0, 0, 0, 2]
        rows = await pools[0].fetch("SELECT n FROM mig_a.counter ORDER BY n")
        assert [r["n"] for r in rows] == [1, 2]
    finally:
        for p in pools:
            await p.close()


async def test_an_edited_migration_stops_start_up(isolation: Isolation, tmp_path: Path) -> None:
    path = tmp_path / "0001_t.sql"
    path.write_text("CREATE TABLE t (a int);")
    pool = await create_pool(isolation.database_url)
    try:
        assert await migrate(pool, "mig_b", tmp_path) == ["0001_t"]
        path.write_text("CREATE TABLE t (a int, b int);")
        with pytest.raises(MigrationError, match="edited"):
            await migrate(pool, "mig_b", tmp_path)
    finally:
        await pool.close()


async def test_a_failing_migration_leaves_nothing_half_applied(
    isolation: Isolation, tmp_path: Path
) -> None:
    (tmp_path / "0001_bad.sql").write_text("CREATE TABLE half (a int); SELECT 1/0;")
    pool = await create_pool(isolation.database_url)
    try:
        with pytest.raises(asyncpg.DivisionByZeroError):
            await migrate(pool, "mig_c", tmp_path)
        exists = await pool.fetchval("SELECT to_regclass('mig_c.half')")
        assert exists is None
    finally:
        await pool.close()
