"""Surfaces as upstream names them: the old ``chat`` is read and migrated as ``web``."""

from __future__ import annotations

import shutil
from pathlib import Path

import asyncpg
import pytest
from pydantic import ValidationError

from atlas_common.db import create_pool, migrate
from atlas_common.messages import QueryRequested
from atlas_common.principal import Principal
from atlas_query.db import MIGRATIONS
from tests.support.isolation import Isolation


def job(surface: str) -> QueryRequested:
    principal = Principal(user_id="u")
    return QueryRequested(request_id="r", question="q", principal=principal, deadline=0,
                          surface=surface)  # type: ignore[arg-type]


def test_a_job_queued_as_chat_is_read_as_web() -> None:
    assert job("chat").surface == "web"
    assert [job(s).surface for s in ("web", "api", "mcp", "slack")] == ["web", "api", "mcp",
                                                                        "slack"]
    with pytest.raises(ValidationError):
        job("email")


async def test_the_migration_turns_stored_chat_conversations_into_web(
    isolation: Isolation, tmp_path: Path
) -> None:
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(MIGRATIONS / "0001_conversations.sql", first)
    schema = "query_surface_migration"  # a schema of its own: the real one is migrated already
    pool: asyncpg.Pool = await create_pool(isolation.database_url, max_size=1)
    try:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await migrate(pool, schema, first)
        await pool.execute(
            f"INSERT INTO {schema}.conversations (id, workspace_id, user_id, title, surface)"
            " VALUES ('c1', 'w', 'u', 't', 'chat'), ('c2', 'w', 'u', 't', 'api')")
        assert await migrate(pool, schema, MIGRATIONS) == ["0002_surfaces_and_shares"]
        rows = await pool.fetch(f"SELECT id, surface FROM {schema}.conversations ORDER BY id")
        assert [tuple(r) for r in rows] == [("c1", "web"), ("c2", "api")]
    finally:
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()
