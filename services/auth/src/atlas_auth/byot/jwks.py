"""The identity provider's signing keys (JWKS), cached.

- Keys are fetched from ``ATLAS_AUTH_JWKS_URL`` only: never from a token's ``jku``, ``x5u``
  or inline ``jwk`` header.
- The set is kept ``ATLAS_AUTH_JWKS_CACHE_TTL_S``; a stale set is still used if a refresh fails.
- An unknown ``kid`` (a key rotation) triggers a refetch, but fetches are single-flight and at
  most one per ``ATLAS_AUTH_JWKS_MIN_REFETCH_S``: a flood of made-up kids costs one request.
- Only asymmetric signing keys are kept (RSA, EC, OKP); ``oct`` keys and keys whose ``use`` is
  not ``sig`` are dropped.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWTError

log = logging.getLogger(__name__)

ASYMMETRIC_KTY = frozenset({"RSA", "EC", "OKP"})
MAX_JWKS_BYTES = 512 * 1024
MAX_KEYS = 100


class JwksUnavailable(RuntimeError):
    """No key set could be fetched and none is cached."""


def _usable(jwk: Any) -> bool:
    return (isinstance(jwk, dict) and jwk.get("kty") in ASYMMETRIC_KTY
            and jwk.get("use", "sig") == "sig")


@dataclass(frozen=True)
class SigningKey:
    """A parsed key and the JWK fields that decide which algorithms it may verify."""

    jwk: PyJWK
    kty: str
    crv: str | None
    alg: str | None


def parse_key_set(document: Any) -> dict[str | None, SigningKey]:
    """The usable keys of a JWKS document, by kid (None for a key without one)."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("a JWKS document is an object with a 'keys' list")
    keys: dict[str | None, SigningKey] = {}
    for jwk in document["keys"][:MAX_KEYS]:
        if not _usable(jwk):
            continue
        kid = jwk.get("kid")
        try:
            key = SigningKey(PyJWK(jwk), jwk["kty"], jwk.get("crv"), jwk.get("alg"))
            keys[kid if isinstance(kid, str) else None] = key
        except (PyJWTError, ValueError, TypeError) as exc:
            log.warning("skipping an unusable JWKS key", extra={"error": str(exc)})
    return keys


class JwksCache:
    def __init__(self, url: str, client: httpx.AsyncClient, *, ttl_s: float,
                 min_refetch_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._url = url
        self._client = client
        self._ttl_s = ttl_s
        self._min_refetch_s = min_refetch_s
        self._clock = clock
        self._keys: dict[str | None, SigningKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> SigningKey | None:
        """The key for ``kid``; refetches (rate-limited) when the set is stale or lacks it."""
        if self._stale() or self._find(kid) is None:
            await self._refresh()
        if self._fetched_at is None:
            raise JwksUnavailable("the identity provider's JWKS could not be fetched")
        return self._find(kid)

    def _find(self, kid: str | None) -> SigningKey | None:
        if kid is not None:
            return self._keys.get(kid)
        return next(iter(self._keys.values())) if len(self._keys) == 1 else None

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > self._ttl_s

    def _may_fetch(self) -> bool:
        last = self._attempted_at
        return last is None or self._clock() - last >= self._min_refetch_s

    async def _refresh(self) -> None:
        seen = self._attempted_at
        async with self._lock:
            if self._attempted_at != seen or not self._may_fetch():
                return  # another caller just fetched, or we fetched too recently
            self._attempted_at = self._clock()
            try:
                keys = await self._fetch()
            except (httpx.HTTPError, ValueError) as exc:
                log.warning("JWKS fetch failed", extra={"error": str(exc)})
                return
            self._keys, self._fetched_at = keys, self._clock()

    async def _fetch(self) -> dict[str | None, SigningKey]:
        async with self._client.stream("GET", self._url, follow_redirects=False) as response:
            response.raise_for_status()
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > MAX_JWKS_BYTES:
                    raise ValueError("JWKS document too large")
        return parse_key_set(json.loads(bytes(body)))
