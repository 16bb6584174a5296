"""The query service's own schema (``query``) in the internal database."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from atlas_common.db import create_pool, migrate

SCHEMA = "query"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


async def open_query_db(database_url: str, *, max_size: int = 8) -> asyncpg.Pool:
    """A pool on the internal database, with the ``query`` schema migrated (advisory lock)."""
    pool = await create_pool(database_url, min_size=1, max_size=max_size)
    await migrate(pool, SCHEMA, MIGRATIONS)
    return pool
