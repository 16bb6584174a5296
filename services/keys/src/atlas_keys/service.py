"""What the keys service does: create, list, revoke and verify API keys of a workspace.

Every operation is scoped to the caller's workspace: a key of another workspace is "not found",
never "forbidden", so its existence does not leak. A key's role is never above its creator's
and its claims are only ones the creator holds. A creation's ``key.created`` and a revocation's
``key.revoked`` (the audit trail's, with who did it) are written to the outbox in the change's
transaction (:mod:`atlas_common.outbox`): a broker that is down delays them, never loses them,
and never fails the change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from atlas_common import outbox
from atlas_common.entitlements import EntitlementsClient, raise_for
from atlas_common.errors import AtlasError
from atlas_common.messages import KeyCreated, KeyRevoked
from atlas_common.principal import ROLE_RANK, Principal, Role
from atlas_keys import keyformat, repository
from atlas_keys.errors import ClaimsNotHeld, ForbiddenRole, InvalidKey, KeyNotFound
from atlas_keys.last_used import LastUsedRecorder
from atlas_keys.repository import KeyRecord, NewRow
from atlas_keys.schemas import (
    ApiKeyOut,
    CreatedKeyOut,
    CreateKeyBody,
    KeyList,
    Status,
    VerifiedKey,
)

DEFAULT_ROLE: Role = "analyst"
#: JWT registered claims (byot principals carry the whole payload): never copied to a key.
_NOT_INHERITED = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
_ID_ATTEMPTS = 3
_ABSENT = object()


def status_of(record: KeyRecord, now: datetime) -> Status:
    if record.revoked_at is not None:
        return "revoked"
    if record.expires_at is not None and record.expires_at <= now:
        return "expired"
    return "active"


def out(record: KeyRecord, now: datetime) -> ApiKeyOut:
    return ApiKeyOut(id=record.id, name=record.name, start=record.start, prefix=record.prefix,
                     created_at=record.created_at, expires_at=record.expires_at,
                     last_request=record.last_request, role=record.role,
                     status=status_of(record, now))


def key_role(caller: Principal, wanted: Role | None) -> Role:
    """The new key's role: as asked (default analyst, capped), never above the caller's."""
    if wanted is None:
        return min(DEFAULT_ROLE, caller.role, key=ROLE_RANK.__getitem__)
    if ROLE_RANK[wanted] > ROLE_RANK[caller.role]:
        raise ForbiddenRole(f"A key's role cannot be above yours ({caller.role})")
    return wanted


def key_claims(caller: Principal, wanted: dict[str, Any] | None) -> dict[str, Any]:
    """The new key's RLS claims: as asked if the caller holds each one, else the caller's own."""
    if wanted is None:
        return {k: v for k, v in caller.claims.items() if k not in _NOT_INHERITED}
    missing = sorted(k for k, v in wanted.items() if caller.claims.get(k, _ABSENT) != v)
    if missing:
        raise ClaimsNotHeld(
            "A key can only carry claims you hold, with the same values; not held: "
            + ", ".join(missing[:5]))
    return dict(wanted)



class KeysService:
    def __init__(self, pool: Any, recorder: LastUsedRecorder,
                 entitlements: EntitlementsClient | None = None) -> None:
        self._pool = pool
        self._recorder = recorder
        self._entitlements = entitlements

    async def create(self, caller: Principal, body: CreateKeyBody) -> CreatedKeyOut:
        role = key_role(caller, body.role)
        claims = key_claims(caller, body.claims)
        now = datetime.now(UTC)
        expires_at = now + timedelta(seconds=body.expires_in) if body.expires_in else None
        for _ in range(_ID_ATTEMPTS):
            made = keyformat.new_key()
            row = NewRow(id=made.id, workspace_id=caller.workspace_id, name=body.name,
                         key_hash=made.key_hash, prefix=keyformat.PREFIX, start=made.start,
                         role=role, claims=claims, created_by=caller.user_id,
                         expires_at=expires_at)
            try:
                record = await self._insert_within_plan(caller, row)
            except repository.DuplicateKeyId:
                continue
            return CreatedKeyOut(**out(record, now).model_dump(), key=made.key)
        raise AtlasError("Could not allocate a key id; try again")

    async def _insert_within_plan(self, caller: Principal, row: NewRow) -> KeyRecord:
        """Insert under the plan's ``api-keys`` limit, counted in the same transaction, so two
        parallel creations against room for one create one key; ``key.created`` with it."""
        workspace_id = caller.workspace_id
        limit = None
        if self._entitlements is not None:
            limit = await self._entitlements.limit(workspace_id, "api-keys")
        async with self._pool.acquire() as conn, conn.transaction():
            if limit is not None:
                await repository.lock_workspace(conn, workspace_id)
                raise_for(limit.decide(await repository.count_active(conn, workspace_id), 1))
            record = await repository.insert(conn, row)
            await outbox.enqueue(conn, repository.SCHEMA, KeyCreated(
                key_id=record.id, workspace_id=workspace_id, name=record.name,
                role=record.role, actor_id=caller.user_id))
            return record

    async def list(self, caller: Principal, *, limit: int, offset: int) -> KeyList:
        records, total = await repository.in_workspace(self._pool, caller.workspace_id,
                                                       limit=limit, offset=offset)
        now = datetime.now(UTC)
        return KeyList(api_keys=[out(r, now) for r in records], total=total)

    async def revoke(self, caller: Principal, key_id: str) -> None:
        """Revoke a key of the caller's workspace. Revoking again succeeds and publishes
        ``key.revoked`` again, so a retry heals caches that missed the first event."""
        async with self._pool.acquire() as conn, conn.transaction():
            outcome = await repository.revoke(conn, key_id, caller.workspace_id)
            if outcome == "missing":
                raise KeyNotFound()
            await outbox.enqueue(conn, repository.SCHEMA, KeyRevoked(
                key_id=key_id, workspace_id=caller.workspace_id, actor_id=caller.user_id))

    async def revoke_for_user(self, user_id: str) -> int:
        """Revoke every live key a (deactivated) user created; ``key.revoked`` for each, with no
        actor: Atlas did it, following the deactivation (which names who did that)."""
        async with self._pool.acquire() as conn, conn.transaction():
            revoked = await repository.revoke_for_user(conn, user_id)
            await outbox.enqueue(conn, repository.SCHEMA, *(
                KeyRevoked(key_id=key_id, workspace_id=ws) for key_id, ws in revoked))
        return len(revoked)

    async def verify(self, key: str) -> VerifiedKey:
        """The key's facts if it is well formed, known, matches, and is neither revoked nor
        expired; else InvalidKey, whatever the reason."""
        key_id = keyformat.key_id_of(key)
        if key_id is None:
            raise InvalidKey()
        record = await repository.by_id(self._pool, key_id)
        if record is None or not keyformat.matches(key, record.key_hash):
            raise InvalidKey()
        now = datetime.now(UTC)
        if status_of(record, now) != "active":
            raise InvalidKey()
        self._recorder.touch(record.id, now)
        return VerifiedKey(key_id=record.id, workspace_id=record.workspace_id, role=record.role,
                           claims=record.claims, created_by=record.created_by,
                           expires_at=record.expires_at)
