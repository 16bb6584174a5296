"""Verifying one JWT in byot mode.

Order of checks, cheapest and most hostile-input-proof first:
1. size (over 8 KB is refused before any parsing or crypto) and shape (exactly 3 segments);
2. the header's ``alg`` against an allowlist of asymmetric algorithms (so ``none`` in any
   casing, HS256 with an empty secret or with the RSA public key as secret are all refused),
   and no ``crit`` / ``b64`` extension headers;
3. the key from the configured JWKS by ``kid`` (``jku``/``x5u``/``jwk`` headers are ignored),
   and the key must fit the algorithm (RSA for RS/PS, the right curve for ES, Ed25519 for EdDSA);
4. signature and claims by PyJWT with ``exp``, ``sub`` and ``iss`` required explicitly (and
   ``aud`` when an audience is configured), a small leeway, and ``nbf``/``iat`` not in the future.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Any

import jwt

from atlas_auth.byot.claims import role_from, workspace_from
from atlas_auth.byot.jwks import JwksCache, JwksUnavailable, SigningKey
from atlas_auth.errors import AuthFailed
from atlas_common.errors import Unavailable
from atlas_common.principal import Principal

log = logging.getLogger(__name__)

MAX_TOKEN_BYTES = 8192
MAX_KID_CHARS = 256
_ALG_KEY: dict[str, tuple[str, str | None]] = {
    **{a: ("RSA", None) for a in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")},
    "ES256": ("EC", "P-256"), "ES384": ("EC", "P-384"), "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", "Ed25519"),
}
ALLOWED_ALGORITHMS = frozenset(_ALG_KEY)
_UNSUPPORTED = frozenset({"crit", "b64"})


def _unverified_header(token: str) -> dict[str, Any]:
    if len(token.encode()) > MAX_TOKEN_BYTES or token.count(".") != 2:
        raise AuthFailed()
    try:
        return jwt.get_unverified_header(token)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise AuthFailed() from None


def _algorithm(header: dict[str, Any]) -> str:
    """The allowlisted ``alg``; tokens needing extensions (``crit``, unencoded ``b64``) are
    refused: we implement none of them."""
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ALLOWED_ALGORITHMS or _UNSUPPORTED & header.keys():
        raise AuthFailed()
    return alg


def _kid(header: dict[str, Any]) -> str | None:
    kid = header.get("kid")
    if kid is None:
        return None
    if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_CHARS:
        raise AuthFailed()
    return kid


def key_fits(key: SigningKey, alg: str) -> bool:
    kty, crv = _ALG_KEY[alg]
    return (key.kty == kty and (crv is None or key.crv == crv)
            and (key.alg is None or key.alg == alg))


def credential_id(token: str) -> str:
    return "jwt-" + hashlib.sha256(token.encode()).hexdigest()[:32]


class JwtVerifier:
    def __init__(self, jwks: JwksCache, *, issuer: str, audience: str | None, leeway_s: int,
                 role_claim: str | None, org_claim: str, multi_workspace: bool) -> None:
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience
        self._leeway_s = leeway_s
        self._role_claim = role_claim
        self._org_claim = org_claim
        self._multi_workspace = multi_workspace
        self._required = ["exp", "sub", "iss"] + (["aud"] if audience else [])

    async def verify(self, token: str) -> Principal:
        header = _unverified_header(token)
        alg, kid = _algorithm(header), _kid(header)
        key = await self._key(kid)
        if key is None or not key_fits(key, alg):
            raise AuthFailed()
        payload = self._decode(token, key, alg)
        return self._principal(token, payload)

    async def _key(self, kid: str | None) -> SigningKey | None:
        try:
            return await self._jwks.key_for(kid)
        except JwksUnavailable:
            raise Unavailable("The identity provider's keys are unreachable",
                              retry_after=5) from None

    def _decode(self, token: str, key: SigningKey, alg: str) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = jwt.decode(
                token, key.jwk.key, algorithms=[alg], issuer=self._issuer,
                audience=self._audience, leeway=self._leeway_s,
                options={"require": self._required, "verify_aud": self._audience is not None},
            )
        except (jwt.PyJWTError, ValueError, TypeError, OverflowError) as exc:
            log.info("JWT refused", extra={"reason": type(exc).__name__})
            raise AuthFailed() from None
        sub = payload.get("sub")
        if payload.get("iss") != self._issuer or not isinstance(sub, str) or not sub.strip():
            raise AuthFailed()
        return payload

    def _principal(self, token: str, payload: dict[str, Any]) -> Principal:
        workspace = "default"
        if self._multi_workspace:
            found = workspace_from(payload, self._org_claim)
            if found is None:
                raise AuthFailed(f"The token has no {self._org_claim!r} claim")
            workspace = found
        try:
            expires_at = datetime.fromtimestamp(int(payload["exp"]), UTC)
        except (OverflowError, ValueError, OSError):
            raise AuthFailed() from None
        return Principal(user_id=payload["sub"], workspace_id=workspace,
                         role=role_from(payload, self._role_claim), claims=payload,
                         auth_mode="byot", credential_id=credential_id(token),
                         expires_at=expires_at)
