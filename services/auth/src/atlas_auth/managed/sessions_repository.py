"""SQL for sessions. Tokens never reach the database, only their keyed hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from atlas_auth.managed.models import SessionRecord, UserRecord

_SESSION_COLUMNS = "id, user_id, created_at, renewed_at, expires_at"


async def insert(conn: Any, *, session_id: str, token_hash: bytes, user_id: str,
                 expires_at: datetime, ip_address: str | None,
                 user_agent: str | None) -> SessionRecord:
    row = await conn.fetchrow(
        "INSERT INTO auth.sessions (id, token_hash, user_id, expires_at, ip_address, user_agent) "
        f"VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_SESSION_COLUMNS}",
        session_id, token_hash, user_id, expires_at, ip_address, user_agent)
    return SessionRecord.from_row(row)


async def with_user(conn: Any, token_hash: bytes) -> tuple[SessionRecord, UserRecord] | None:
    """The session of this token hash and its user, whatever their state."""
    row = await conn.fetchrow(
        "SELECT s.id AS s_id, s.user_id AS s_user_id, s.created_at AS s_created_at, "
        "s.renewed_at AS s_renewed_at, s.expires_at AS s_expires_at, u.* "
        "FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id WHERE s.token_hash = $1",
        token_hash)
    if row is None:
        return None
    return SessionRecord.from_row(row, "s_"), UserRecord.from_row(row)


async def renew(conn: Any, session_id: str, *, now: datetime, renew_before: datetime,
                expires_at: datetime) -> SessionRecord | None:
    """Extend a session last renewed before ``renew_before``; None when it was renewed since."""
    row = await conn.fetchrow(
        "UPDATE auth.sessions SET renewed_at = $2, expires_at = $3 "
        f"WHERE id = $1 AND renewed_at < $4 AND expires_at > $2 RETURNING {_SESSION_COLUMNS}",
        session_id, now, expires_at, renew_before)
    return SessionRecord.from_row(row) if row else None


async def delete(conn: Any, session_id: str) -> SessionRecord | None:
    row = await conn.fetchrow(
        f"DELETE FROM auth.sessions WHERE id = $1 RETURNING {_SESSION_COLUMNS}", session_id)
    return SessionRecord.from_row(row) if row else None


async def delete_for_user(conn: Any, user_id: str, keep: str | None = None) -> list[str]:
    """Delete a user's sessions (but ``keep``); returns the ids deleted."""
    rows = await conn.fetch(
        "DELETE FROM auth.sessions WHERE user_id = $1 AND ($2::text IS NULL OR id <> $2) "
        "RETURNING id", user_id, keep)
    return [r["id"] for r in rows]
