"""Sign-up, sign-in, sign-out and a user's own password change.

Who may sign up (decided under a lock, so two racing first sign-ups make one admin):
- ``ATLAS_ADMIN_EMAIL`` always may, and is admin;
- without it, the first user of an empty install is admin;
- anyone else only with ``ATLAS_SIGNUP=open`` (default ``invite``: admins add users).
With ``ATLAS_MULTI_WORKSPACE=true`` every sign-up creates a workspace and its user is its admin.
A sign-up writes ``user.created`` (the user is its own actor) to the outbox in its transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from atlas_auth.errors import INVALID_SIGN_IN, AuthFailed, Forbidden
from atlas_auth.managed import sessions_repository
from atlas_auth.managed import users_repository as users
from atlas_auth.managed.models import SessionRecord, UserRecord
from atlas_auth.managed.passwords import Passwords
from atlas_auth.managed.sessions import Sessions
from atlas_auth.managed.throttle import Throttle
from atlas_auth.schemas import ChangePasswordBody, SignInBody, SignUpBody
from atlas_common import outbox
from atlas_common.errors import InvalidRequest
from atlas_common.messages import SessionRevoked, UserCreated
from atlas_common.principal import Role


@dataclass(frozen=True)
class SignUpPolicy:
    admin_email: str | None
    signup: str
    multi_workspace: bool

    def role_for(self, email: str, install_empty: bool) -> Role | None:
        """The new user's role, or None when sign-up is by invitation only."""
        admin = (self.admin_email or "").strip().lower()
        if (admin and email == admin) or (not admin and install_empty):
            return "admin"
        if self.signup != "open":
            return None
        return "admin" if self.multi_workspace else "analyst"


@dataclass(frozen=True)
class Client:
    """Where a request comes from, for sessions and throttling."""

    ip_address: str | None
    user_agent: str | None


class Accounts:
    def __init__(self, pool: Any, passwords: Passwords, sessions: Sessions, throttle: Throttle,
                 policy: SignUpPolicy) -> None:
        self._pool = pool
        self._passwords = passwords
        self._sessions = sessions
        self._throttle = throttle
        self._policy = policy

    async def sign_up(self, body: SignUpBody, client: Client) -> tuple[str, UserRecord]:
        await self._throttle.sign_up_attempt(client.ip_address)
        password_hash = await self._passwords.hash(body.password)
        async with self._pool.acquire() as conn, conn.transaction():
            await users.lock_sign_ups(conn)
            role = self._policy.role_for(body.email, not await users.any_user(conn))
            if role is None:
                raise Forbidden("Sign-up is by invitation: ask an admin to add you")
            workspace = await self._workspace_for(conn, body.name)
            user = await self._insert(conn, body, password_hash, role, workspace)
            await outbox.enqueue(conn, users.SCHEMA, UserCreated(
                user_id=user.id, workspace_id=workspace, role=role, actor_id=user.id))
            token, _ = await self._sessions.create(conn, user, ip_address=client.ip_address,
                                                   user_agent=client.user_agent)
        return token, user

    async def _workspace_for(self, conn: Any, name: str) -> str:
        if not self._policy.multi_workspace:
            return "default"
        workspace_id = uuid.uuid4().hex
        await users.insert_workspace(conn, workspace_id, f"{name}'s workspace"[:120])
        return workspace_id

    @staticmethod
    async def _insert(conn: Any, body: SignUpBody, password_hash: str, role: Role,
                      workspace_id: str) -> UserRecord:
        try:
            return await users.insert_user(
                conn, user_id=uuid.uuid4().hex, email=body.email, name=body.name,
                password_hash=password_hash, role=role, workspace_id=workspace_id, claims={})
        except users.EmailTaken:
            raise InvalidRequest("Could not sign up with this email") from None

    async def sign_in(self, body: SignInBody, client: Client) -> tuple[str, UserRecord]:
        """Same answer, and the same work, for an unknown email, a wrong password or an
        inactive account."""
        await self._throttle.sign_in_attempt(body.email, client.ip_address)
        user = await users.by_email(self._pool, body.email)
        ok = await self._passwords.verify(user.password_hash if user else None, body.password)
        if not ok or user is None or not user.active:
            raise AuthFailed(INVALID_SIGN_IN)
        await self._throttle.succeeded(body.email)
        await self._rehash_if_needed(user, body.password)
        async with self._pool.acquire() as conn:
            token, _ = await self._sessions.create(conn, user, ip_address=client.ip_address,
                                                   user_agent=client.user_agent)
        return token, user

    async def _rehash_if_needed(self, user: UserRecord, password: str) -> None:
        if self._passwords.needs_rehash(user.password_hash):
            await users.set_password_hash(self._pool, user.id,
                                          await self._passwords.hash(password))

    async def sign_out(self, session: SessionRecord) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if await sessions_repository.delete(conn, session.id) is not None:
                await outbox.enqueue(conn, users.SCHEMA, SessionRevoked(
                    session_id=session.id, user_id=session.user_id))

    async def change_password(self, session: SessionRecord, user: UserRecord,
                              body: ChangePasswordBody, client: Client) -> None:
        await self._throttle.sign_in_attempt(user.email, client.ip_address)
        if not await self._passwords.verify(user.password_hash, body.current_password):
            raise InvalidRequest("The current password is wrong")
        await self._throttle.succeeded(user.email)
        new_hash = await self._passwords.hash(body.new_password)
        revoked: list[str] = []  # the other sessions, ended with the change
        async with self._pool.acquire() as conn, conn.transaction():
            await users.set_password_hash(conn, user.id, new_hash)
            if body.revoke_other_sessions:
                revoked = await sessions_repository.delete_for_user(conn, user.id,
                                                                    keep=session.id)
            await outbox.enqueue(conn, users.SCHEMA, *(
                SessionRevoked(session_id=sid, user_id=user.id) for sid in revoked))
