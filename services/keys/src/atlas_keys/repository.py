"""Every SQL statement of the keys service. Each function takes the pool or connection to use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from atlas_common.principal import Role

#: The service's schema (its tables, its outbox).
SCHEMA = "keys"
_COLUMNS = ("id, workspace_id, name, key_hash, prefix, start, role, claims, created_by, "
            "created_at, expires_at, revoked_at, last_request")


class DuplicateKeyId(Exception):
    """The random public id is taken already (vanishingly rare; the caller draws again)."""


@dataclass(frozen=True)
class KeyRecord:
    id: str
    workspace_id: str
    name: str
    key_hash: bytes
    prefix: str
    start: str
    role: Role
    claims: dict[str, Any]
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_request: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> KeyRecord:
        claims = row["claims"]
        return cls(id=row["id"], workspace_id=row["workspace_id"], name=row["name"],
                   key_hash=bytes(row["key_hash"]), prefix=row["prefix"], start=row["start"],
                   role=row["role"],
                   claims=json.loads(claims) if isinstance(claims, str) else dict(claims),
                   created_by=row["created_by"], created_at=row["created_at"],
                   expires_at=row["expires_at"], revoked_at=row["revoked_at"],
                   last_request=row["last_request"])


@dataclass(frozen=True)
class NewRow:
    id: str
    workspace_id: str
    name: str
    key_hash: bytes
    prefix: str
    start: str
    role: Role
    claims: dict[str, Any]
    created_by: str
    expires_at: datetime | None


async def insert(db: Any, row: NewRow) -> KeyRecord:
    try:
        found = await db.fetchrow(
            "INSERT INTO keys.api_keys (id, workspace_id, name, key_hash, prefix, start, role, "
            "claims, created_by, expires_at) "
            f"VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10) RETURNING {_COLUMNS}",
            row.id, row.workspace_id, row.name, row.key_hash, row.prefix, row.start, row.role,
            json.dumps(row.claims), row.created_by, row.expires_at)
    except asyncpg.UniqueViolationError:
        raise DuplicateKeyId(row.id) from None
    return KeyRecord.from_row(found)


async def count_active(db: Any, workspace_id: str) -> int:
    """Active keys of a workspace: the ``api-keys`` gauge."""
    value = await db.fetchval(
        "SELECT count(*) FROM keys.api_keys WHERE workspace_id = $1 AND revoked_at IS NULL "
        "AND (expires_at IS NULL OR expires_at > now())", workspace_id)
    return int(value)


async def lock_workspace(conn: Any, workspace_id: str) -> None:
    """Serialise key creation per workspace for the rest of the transaction (the gauge)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('atlas-api-keys:' || $1))",
                       workspace_id)


async def in_workspace(db: Any, workspace_id: str, *, limit: int,
                       offset: int) -> tuple[list[KeyRecord], int]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM keys.api_keys WHERE workspace_id = $1 "
        "ORDER BY created_at DESC, id LIMIT $2 OFFSET $3", workspace_id, limit, offset)
    total: int = await db.fetchval(
        "SELECT count(*) FROM keys.api_keys WHERE workspace_id = $1", workspace_id)
    return [KeyRecord.from_row(r) for r in rows], total


async def by_id(db: Any, key_id: str) -> KeyRecord | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM keys.api_keys WHERE id = $1", key_id)
    return KeyRecord.from_row(row) if row else None


Outcome = Literal["revoked", "already", "missing"]


async def revoke(db: Any, key_id: str, workspace_id: str) -> Outcome:
    """Revoke one key of the workspace; concurrent revokes of one key agree on one winner."""
    revoked = await db.fetchval(
        "UPDATE keys.api_keys SET revoked_at = now() "
        "WHERE id = $1 AND workspace_id = $2 AND revoked_at IS NULL RETURNING id",
        key_id, workspace_id)
    if revoked is not None:
        return "revoked"
    exists: bool = await db.fetchval(
        "SELECT EXISTS (SELECT 1 FROM keys.api_keys WHERE id = $1 AND workspace_id = $2)",
        key_id, workspace_id)
    return "already" if exists else "missing"


async def revoke_for_user(db: Any, user_id: str) -> list[tuple[str, str]]:
    """Revoke every live key the user created; returns (key id, workspace id) of each."""
    rows = await db.fetch(
        "UPDATE keys.api_keys SET revoked_at = now() "
        "WHERE created_by = $1 AND revoked_at IS NULL RETURNING id, workspace_id", user_id)
    return [(r["id"], r["workspace_id"]) for r in rows]


async def record_last_used(db: Any, used: dict[str, datetime]) -> int:
    """One statement for a whole batch; a time never moves backwards. Returns rows written."""
    ids = list(used)
    result: str = await db.execute(
        "UPDATE keys.api_keys AS k SET last_request = v.at "
        "FROM unnest($1::text[], $2::timestamptz[]) AS v(id, at) "
        "WHERE k.id = v.id AND (k.last_request IS NULL OR k.last_request < v.at)",
        ids, [used[i] for i in ids])
    return int(result.rsplit(" ", 1)[-1])
