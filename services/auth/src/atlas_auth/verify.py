"""One credential in, one :class:`Principal` out: the heart of the auth service.

| mode | accepted |
|---|---|
| none | nothing is looked at: every caller is the anonymous admin of ``default`` |
| simple-key | ``ATLAS_API_KEY`` as Bearer or X-API-Key |
| managed | a session token (cookie or Bearer), or a stored key ``atlas_sk_...`` |
| byot | a JWT from the configured issuer (Bearer), or a stored key ``atlas_sk_...`` |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from atlas_auth.byot.tokens import JwtVerifier
from atlas_auth.credentials import Presented, check_csrf
from atlas_auth.errors import AuthFailed
from atlas_auth.managed.models import SessionRecord, UserRecord, session_principal
from atlas_auth.managed.sessions import Sessions
from atlas_auth.simple_key import SimpleKeyVerifier
from atlas_auth.stored_keys import StoredKeyVerifier, is_stored_key
from atlas_common.principal import ANONYMOUS, AuthMode, Principal


@dataclass(frozen=True)
class SessionAuth:
    """A verified session with its user (for the routes that need more than the principal)."""

    session: SessionRecord
    user: UserRecord
    renewed: bool

    @property
    def principal(self) -> Principal:
        return session_principal(self.session, self.user)


class Verifier:
    def __init__(self, mode: AuthMode, *, cache_ttl_s: int, trusted_origins: list[str],
                 stored_keys: StoredKeyVerifier, simple_key: SimpleKeyVerifier | None = None,
                 jwt: JwtVerifier | None = None, sessions: Sessions | None = None) -> None:
        self.mode = mode
        self._cache_ttl_s = cache_ttl_s
        self._trusted = trusted_origins
        self._stored_keys = stored_keys
        self._simple_key = simple_key
        self._jwt = jwt
        self._sessions = sessions

    async def verify(self, presented: Presented) -> Principal:
        if self.mode == "none":
            return ANONYMOUS
        if self.mode == "simple-key":
            return self._verify_simple_key(presented)
        if presented.source != "cookie" and is_stored_key(presented.value):
            return await self._stored_keys.verify(presented.value)
        if self.mode == "managed":
            return (await self.session(presented)).principal
        return await self._verify_jwt(presented)

    async def session(self, presented: Presented) -> SessionAuth:
        """Managed mode: the session behind a cookie or Bearer token (CSRF-checked)."""
        if self._sessions is None or presented.source == "api-key":
            raise AuthFailed()
        check_csrf(presented, self._trusted)
        return SessionAuth(*await self._sessions.authenticate(presented.value))

    def _verify_simple_key(self, presented: Presented) -> Principal:
        if self._simple_key is None or presented.source == "cookie":
            raise AuthFailed()
        return self._simple_key.verify(presented.value)

    async def _verify_jwt(self, presented: Presented) -> Principal:
        if self._jwt is None or presented.source != "bearer":
            raise AuthFailed()
        return await self._jwt.verify(presented.value)

    def cache_ttl(self, principal: Principal) -> int:
        """How long the gateway may cache: the setting, never past the credential's expiry."""
        ttl = self._cache_ttl_s
        if principal.expires_at is not None:
            left = (principal.expires_at - datetime.now(UTC)).total_seconds()
            ttl = min(ttl, max(0, int(left)))
        return ttl
