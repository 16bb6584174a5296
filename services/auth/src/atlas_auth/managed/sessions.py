"""Sessions: opaque random tokens, stored as keyed hashes, 7 days, renewed at most once a day.

A token is 32 random bytes (URL-safe base64). The database keeps only
HMAC-SHA256(``BETTER_AUTH_SECRET``, token), so neither a database dump nor a log of queries
gives a usable token; rotating the secret signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from atlas_auth.errors import AuthFailed, SessionExpired
from atlas_auth.managed import sessions_repository as repo
from atlas_auth.managed.models import SessionRecord, UserRecord

SESSION_TTL = timedelta(days=7)
RENEW_EVERY = timedelta(days=1)
MAX_TOKEN_CHARS = 256


def _now() -> datetime:
    return datetime.now(UTC)


class Sessions:
    def __init__(self, pool: Any, secret: str, *, clock: Callable[[], datetime] = _now) -> None:
        self._pool = pool
        self._key = secret.encode()
        self._clock = clock

    def token_hash(self, token: str) -> bytes:
        return hmac.new(self._key, token.encode(), hashlib.sha256).digest()

    async def create(self, conn: Any, user: UserRecord, *, ip_address: str | None,
                     user_agent: str | None) -> tuple[str, SessionRecord]:
        """A new session for ``user`` on ``conn`` (inside the caller's transaction)."""
        token = secrets.token_urlsafe(32)
        session = await repo.insert(
            conn, session_id=uuid.uuid4().hex, token_hash=self.token_hash(token),
            user_id=user.id, expires_at=self._clock() + SESSION_TTL, ip_address=ip_address,
            user_agent=(user_agent or "")[:512] or None)
        return token, session

    async def authenticate(self, token: str) -> tuple[SessionRecord, UserRecord, bool]:
        """The live session of ``token``, its user, and whether it was renewed just now.

        AuthFailed for an unknown token or an inactive user, SessionExpired past the expiry.
        """
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise AuthFailed()
        async with self._pool.acquire() as conn:
            found = await repo.with_user(conn, self.token_hash(token))
            if found is None or not found[1].active:
                raise AuthFailed()
            session, user = found
            now = self._clock()
            if session.expires_at <= now:
                await repo.delete(conn, session.id)
                raise SessionExpired()
            renewed = await self._renew(conn, session, now)
        return renewed or session, user, renewed is not None

    async def _renew(self, conn: Any, session: SessionRecord,
                     now: datetime) -> SessionRecord | None:
        if now - session.renewed_at < RENEW_EVERY:
            return None
        return await repo.renew(conn, session.id, now=now, renew_before=now - RENEW_EVERY,
                                expires_at=now + SESSION_TTL)
