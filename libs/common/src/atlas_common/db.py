"""PostgreSQL access (asyncpg): a pool, and a forward-only migration runner per schema.

Each service owns one schema and migrates it at start under an advisory lock, so several
replicas starting together apply every migration exactly once. Migrations are ``NNNN_name.sql``
files; an applied file whose text changed stops start-up (they are forward-only).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import asyncpg

log = logging.getLogger(__name__)


class MigrationError(RuntimeError):
    pass


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, timeout=10)
    assert pool is not None
    return pool


def _lock_key(schema: str) -> int:
    digest = hashlib.sha256(f"atlas-migrate:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _quote_ident(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise MigrationError(f"invalid schema name {name!r}")
    return f'"{name}"'


async def migrate(pool: asyncpg.Pool, schema: str, migrations_dir: Path) -> list[str]:
    """Apply the pending migrations of ``schema``; returns the versions applied now."""
    files = sorted(migrations_dir.glob("*.sql"))  # noqa: ASYNC240 - start-up only
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", _lock_key(schema))
        try:
            return await _apply_pending(conn, schema, files)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _lock_key(schema))


async def _apply_pending(conn: asyncpg.Connection, schema: str, files: list[Path]) -> list[str]:
    q = _quote_ident(schema)
    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {q}")
    await conn.execute(
        f"CREATE TABLE IF NOT EXISTS {q}.schema_migrations ("
        "version text PRIMARY KEY, checksum text NOT NULL, "
        "applied_at timestamptz NOT NULL DEFAULT now())"
    )
    rows = await conn.fetch(f"SELECT version, checksum FROM {q}.schema_migrations")
    applied = {r["version"]: r["checksum"] for r in rows}
    done: list[str] = []
    for path in files:
        text = path.read_text()
        version = path.stem
        if version in applied:
            if applied[version] != _checksum(text):
                raise MigrationError(f"{schema}: applied migration {path.name} was edited")
            continue
        async with conn.transaction():
            await conn.execute(f"SET LOCAL search_path TO {q}, public")
            await conn.execute(text)
            await conn.execute(
                f"INSERT INTO {q}.schema_migrations (version, checksum) VALUES ($1, $2)",
                version,
                _checksum(text),
            )
        log.info("applied migration", extra={"schema": schema, "version": version})
        done.append(version)
    return done
