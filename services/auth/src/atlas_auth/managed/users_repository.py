"""SQL for users and workspaces. Every function takes the connection (or transaction) to use."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import asyncpg

from atlas_auth.managed.models import UserRecord
from atlas_common.principal import Role

#: The auth service's schema (its tables, its outbox).
SCHEMA = "auth"
_USER_COLUMNS = ("id, email, name, password_hash, role, claims, workspace_id, active, "
                 "created_at, updated_at")


class EmailTaken(Exception):
    """A user with this email already exists."""


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


async def lock_sign_ups(conn: Any) -> None:
    """Serialise sign-ups (transaction-scoped), so "first user is admin" holds under races."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _lock_key("atlas-auth:sign-up"))


async def lock_workspace_admins(conn: Any, workspace_id: str) -> int:
    """Serialise admin changes in a workspace; returns its number of active admins."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)",
                       _lock_key("atlas-auth:admins:" + workspace_id))
    count: int = await conn.fetchval(
        "SELECT count(*) FROM auth.users WHERE workspace_id = $1 AND role = 'admin' AND active",
        workspace_id)
    return count


async def any_user(conn: Any) -> bool:
    found: bool = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM auth.users)")
    return found


async def insert_workspace(conn: Any, workspace_id: str, name: str) -> None:
    await conn.execute("INSERT INTO auth.workspaces (id, name) VALUES ($1, $2)",
                       workspace_id, name)


async def insert_user(conn: Any, *, user_id: str, email: str, name: str, password_hash: str,
                      role: Role, workspace_id: str, claims: dict[str, Any]) -> UserRecord:
    try:
        row = await conn.fetchrow(
            "INSERT INTO auth.users (id, email, name, password_hash, role, workspace_id, claims) "
            f"VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING {_USER_COLUMNS}",
            user_id, email, name, password_hash, role, workspace_id, json.dumps(claims))
    except asyncpg.UniqueViolationError:
        raise EmailTaken(email) from None
    return UserRecord.from_row(row)


async def by_email(conn: Any, email: str) -> UserRecord | None:
    row = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM auth.users WHERE lower(email) = lower($1)", email)
    return UserRecord.from_row(row) if row else None


async def by_id(conn: Any, user_id: str, workspace_id: str | None = None) -> UserRecord | None:
    row = await conn.fetchrow(
        f"SELECT {_USER_COLUMNS} FROM auth.users "
        "WHERE id = $1 AND ($2::text IS NULL OR workspace_id = $2)", user_id, workspace_id)
    return UserRecord.from_row(row) if row else None


async def in_workspace(conn: Any, workspace_id: str, *, limit: int,
                       offset: int) -> tuple[list[UserRecord], int]:
    rows = await conn.fetch(
        f"SELECT {_USER_COLUMNS} FROM auth.users WHERE workspace_id = $1 "
        "ORDER BY created_at, id LIMIT $2 OFFSET $3", workspace_id, limit, offset)
    total: int = await conn.fetchval(
        "SELECT count(*) FROM auth.users WHERE workspace_id = $1", workspace_id)
    return [UserRecord.from_row(r) for r in rows], total


async def _update(conn: Any, user_id: str, assignment: str, *values: Any) -> UserRecord:
    row = await conn.fetchrow(
        f"UPDATE auth.users SET {assignment}, updated_at = now() WHERE id = $1 "
        f"RETURNING {_USER_COLUMNS}", user_id, *values)
    return UserRecord.from_row(row)


async def set_role(conn: Any, user_id: str, role: Role) -> UserRecord:
    return await _update(conn, user_id, "role = $2", role)


async def set_claims(conn: Any, user_id: str, claims: dict[str, Any]) -> UserRecord:
    return await _update(conn, user_id, "claims = $2::jsonb", json.dumps(claims))


async def set_password_hash(conn: Any, user_id: str, password_hash: str) -> UserRecord:
    return await _update(conn, user_id, "password_hash = $2", password_hash)


async def deactivate(conn: Any, user_id: str) -> UserRecord:
    return await _update(conn, user_id, "active = false")
