"""Stored API keys verified by the keys service, in managed and byot modes.

One HTTP call per verification (the gateway caches the principal, so one per key per cache
TTL per replica): ``POST {ATLAS_KEYS_URL}/internal/v1/verify-key {key}`` -> the key's facts
(id, workspace, its own role, claims, creator, expiry), or 401 for a key that is unknown,
malformed, revoked or expired.

The auth service, not the keys service, applies the creator's *current* standing, because
users live in its schema: in managed mode the creator is read from ``auth.users`` (a local
read, no second HTTP call) and the key is refused when the creator is gone, inactive, in
another workspace, or no longer holds the key's claims; its role is min(key role, creator's
role now). In byot mode there is no user store: the key's role was capped at the creator's
role when it was made. The principal's ``user_id`` is the creator's, so the gateway's
``user.role_changed`` / ``user.claims_changed`` / ``user.deactivated`` invalidation also drops
the key's cached principal; ``credential_id`` is the key id (``key.revoked``).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from atlas_auth.errors import AuthFailed
from atlas_auth.managed import users_repository
from atlas_common.errors import Unavailable
from atlas_common.internal import internal_headers
from atlas_common.principal import ROLE_RANK, AuthMode, Principal, Role
from atlas_common.tracing import http_transport

#: ``atlas_sk_`` + 16 hex (public id) + ``_`` + 43 base62 (secret) + 6 base62 (checksum).
#: Anything else is refused here without a call; the keys service checks the checksum.
KEY_SHAPE = re.compile(r"^atlas_sk_[0-9a-f]{16}_[0-9A-Za-z]{49}$")
_ABSENT = object()


class KeyFacts(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)

    key_id: str
    workspace_id: str
    role: Role
    claims: dict[str, Any]
    created_by: str
    expires_at: datetime | None


@dataclass(frozen=True)
class Creator:
    """The key creator's standing now."""

    role: Role
    active: bool
    workspace_id: str
    claims: dict[str, Any]


CreatorLookup = Callable[[str], Awaitable[Creator | None]]


def users_lookup(pool: Any) -> CreatorLookup:
    """Managed mode: the creator from ``auth.users``."""

    async def lookup(user_id: str) -> Creator | None:
        user = await users_repository.by_id(pool, user_id)
        if user is None:
            return None
        return Creator(user.role, user.active, user.workspace_id, user.claims)

    return lookup


class HttpStoredKeyVerifier:
    def __init__(self, keys_url: str, token: str, mode: AuthMode, *,
                 creators: CreatorLookup | None = None, timeout_s: float = 5.0) -> None:
        self._url = keys_url.rstrip("/") + "/internal/v1/verify-key"
        self._headers = internal_headers(token)
        self._mode = mode
        self._creators = creators
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout_s), trust_env=False,
                                         headers={"user-agent": "atlas-auth"},
                                         transport=http_transport())

    async def verify(self, key: str) -> Principal:
        if not KEY_SHAPE.fullmatch(key):
            raise AuthFailed()
        facts = await self._ask(key)
        role = facts.role if self._creators is None else await self._capped(facts)
        return Principal(user_id=facts.created_by, workspace_id=facts.workspace_id, role=role,
                         claims=facts.claims, auth_mode=self._mode, credential_id=facts.key_id,
                         expires_at=facts.expires_at)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _ask(self, key: str) -> KeyFacts:
        try:
            response = await self._client.post(self._url, json={"key": key},
                                               headers=self._headers)
        except httpx.HTTPError as exc:
            raise Unavailable("The keys service is unreachable", retry_after=2) from exc
        if response.status_code == 401:
            raise AuthFailed()
        if response.status_code != 200:
            raise Unavailable("The keys service could not verify the key", retry_after=2)
        return KeyFacts.model_validate(response.json())

    async def _capped(self, facts: KeyFacts) -> Role:
        assert self._creators is not None
        creator = await self._creators(facts.created_by)
        if creator is None or not creator.active or creator.workspace_id != facts.workspace_id:
            raise AuthFailed()
        if any(creator.claims.get(k, _ABSENT) != v for k, v in facts.claims.items()):
            raise AuthFailed()
        return min(facts.role, creator.role, key=ROLE_RANK.__getitem__)
