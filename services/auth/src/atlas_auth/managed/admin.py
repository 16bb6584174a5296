"""User management by a workspace's admins: list, add, role, RLS claims, password, deactivate.

An admin sees and changes only the users of their own workspace (anything else is 404). Nobody
changes their own role or deactivates themselves here, and a workspace always keeps one active
admin. Every change that alters what a credential may do writes its event to the outbox in the
change's transaction (:mod:`atlas_common.outbox`), so gateway caches drop it once the bus has it,
even if the broker was down at the commit; an added user's ``user.created`` goes the same way.
The events name the workspace and the admin who acted (``actor_id``): the audit trail's.
"""

from __future__ import annotations

import uuid
from typing import Any

from atlas_auth.managed import sessions_repository
from atlas_auth.managed import users_repository as users
from atlas_auth.managed.models import UserRecord
from atlas_auth.managed.passwords import Passwords
from atlas_auth.schemas import AddUserBody
from atlas_common import outbox
from atlas_common.errors import InvalidRequest, NotFound
from atlas_common.messages import (
    SessionRevoked,
    UserClaimsChanged,
    UserCreated,
    UserDeactivated,
    UserRoleChanged,
)
from atlas_common.principal import Principal, Role


class Admin:
    def __init__(self, pool: Any, passwords: Passwords) -> None:
        self._pool = pool
        self._passwords = passwords

    async def list(self, admin: Principal, *, limit: int,
                   offset: int) -> tuple[list[UserRecord], int]:
        return await users.in_workspace(self._pool, admin.workspace_id, limit=limit,
                                        offset=offset)

    async def get(self, admin: Principal, user_id: str, conn: Any = None) -> UserRecord:
        user = await users.by_id(conn or self._pool, user_id, admin.workspace_id)
        if user is None:
            raise NotFound("No such user in this workspace")
        return user

    async def add(self, admin: Principal, body: AddUserBody) -> UserRecord:
        password_hash = await self._passwords.hash(body.password)
        async with self._pool.acquire() as conn, conn.transaction():
            try:
                user = await users.insert_user(
                    conn, user_id=uuid.uuid4().hex, email=body.email, name=body.name,
                    password_hash=password_hash, role=body.role,
                    workspace_id=admin.workspace_id, claims=body.claims)
            except users.EmailTaken:
                raise InvalidRequest("A user with this email already exists") from None
            await outbox.enqueue(conn, users.SCHEMA, UserCreated(
                user_id=user.id, workspace_id=admin.workspace_id, role=user.role,
                actor_id=admin.user_id))
        return user

    async def set_role(self, admin: Principal, user_id: str, role: Role) -> UserRecord:
        self._not_self(admin, user_id, "change your own role")
        async with self._pool.acquire() as conn, conn.transaction():
            admins = await users.lock_workspace_admins(conn, admin.workspace_id)
            target = await self.get(admin, user_id, conn)
            self._keeps_an_admin(target, admins, demoted=role != "admin")
            updated = await users.set_role(conn, user_id, role)
            await outbox.enqueue(conn, users.SCHEMA, UserRoleChanged(
                user_id=user_id, role=role, workspace_id=admin.workspace_id,
                actor_id=admin.user_id))
        return updated

    async def set_claims(self, admin: Principal, user_id: str,
                         claims: dict[str, Any]) -> UserRecord:
        """Replace the user's RLS claims; ``user.claims_changed`` makes every gateway drop the
        user's cached principals and tells the audit trail the new claims."""
        async with self._pool.acquire() as conn, conn.transaction():
            await self.get(admin, user_id, conn)
            updated = await users.set_claims(conn, user_id, claims)
            await outbox.enqueue(conn, users.SCHEMA, UserClaimsChanged(
                user_id=user_id, workspace_id=admin.workspace_id, claims=updated.claims,
                actor_id=admin.user_id))
        return updated

    async def reset_password(self, admin: Principal, user_id: str, password: str) -> None:
        """Set a new password and end every session of the user."""
        await self.get(admin, user_id)
        password_hash = await self._passwords.hash(password)
        async with self._pool.acquire() as conn, conn.transaction():
            await users.set_password_hash(conn, user_id, password_hash)
            revoked = await sessions_repository.delete_for_user(conn, user_id)
            await outbox.enqueue(conn, users.SCHEMA, *(
                SessionRevoked(session_id=sid, user_id=user_id) for sid in revoked))

    async def deactivate(self, admin: Principal, user_id: str) -> None:
        """The user can no longer sign in; their sessions end now, and ``user.deactivated``
        tells the keys service and every gateway (keys and cached principals go too)."""
        self._not_self(admin, user_id, "deactivate yourself")
        async with self._pool.acquire() as conn, conn.transaction():
            admins = await users.lock_workspace_admins(conn, admin.workspace_id)
            target = await self.get(admin, user_id, conn)
            self._keeps_an_admin(target, admins, demoted=True)
            await users.deactivate(conn, user_id)
            await sessions_repository.delete_for_user(conn, user_id)
            await outbox.enqueue(conn, users.SCHEMA, UserDeactivated(
                user_id=user_id, workspace_id=admin.workspace_id, actor_id=admin.user_id))

    @staticmethod
    def _not_self(admin: Principal, user_id: str, what: str) -> None:
        if admin.user_id == user_id:
            raise InvalidRequest(f"You cannot {what}")

    @staticmethod
    def _keeps_an_admin(target: UserRecord, admins: int, *, demoted: bool) -> None:
        if demoted and target.role == "admin" and target.active and admins <= 1:
            raise InvalidRequest("A workspace must keep at least one active admin")
