"""The JWKS cache against the local JWKS server, with a controlled clock; claim paths; the checks
that must happen before any key lookup."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from atlas_auth.byot.claims import claim_at, role_from, workspace_from
from atlas_auth.byot.jwks import JwksCache, JwksUnavailable, parse_key_set
from atlas_auth.byot.tokens import JwtVerifier
from atlas_auth.errors import AuthFailed
from tests.auth.support import ISSUER, JwksServer, Key, b64, claims, forge, rsa_key, sign


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5) as c:
        yield c


def cache(url: str, http: httpx.AsyncClient, clock: Clock, ttl: float = 600) -> JwksCache:
    return JwksCache(url, http, ttl_s=ttl, min_refetch_s=30, clock=clock)


async def test_rotation_and_rate_limited_refetch(jwks: JwksServer, http: httpx.AsyncClient,
                                                 keys: dict[str, Key]) -> None:
    clock = Clock()
    c = cache(jwks.url + "/jwks.json", http, clock)
    start = jwks.jwks_hits
    assert await c.key_for("rsa-1") is not None
    rotated = rsa_key("rotated-1")
    jwks.keys.append(rotated.jwk)
    try:
        assert await c.key_for("rotated-1") is None  # fetched just now: no refetch yet
        assert jwks.jwks_hits == start + 1
        clock.now += 31
        results = await asyncio.gather(*(c.key_for("rotated-1") for _ in range(20)))
        assert all(r is not None for r in results)
        assert jwks.jwks_hits == start + 2  # single-flight: twenty lookups, one fetch
        assert await c.key_for("unknown") is None
        assert jwks.jwks_hits == start + 2
    finally:
        jwks.keys.remove(rotated.jwk)


async def test_stale_set_is_refreshed_and_kept_when_the_refresh_fails(
        jwks: JwksServer, http: httpx.AsyncClient) -> None:
    clock = Clock()
    c = cache(jwks.url + "/jwks.json", http, clock, ttl=60)
    assert await c.key_for("rsa-1") is not None
    c._url = jwks.url + "/missing"  # the provider goes away
    clock.now += 120
    assert await c.key_for("rsa-1") is not None  # stale keys still verify


async def test_unreachable_jwks_without_cached_keys(http: httpx.AsyncClient) -> None:
    c = cache("http://127.0.0.1:1/jwks.json", http, Clock())
    with pytest.raises(JwksUnavailable):
        await c.key_for("rsa-1")


def test_symmetric_and_encryption_keys_are_dropped(keys: dict[str, Key]) -> None:
    document = {"keys": [
        {"kty": "oct", "kid": "hmac", "k": b64(b"secret")},
        {**keys["rsa"].jwk, "kid": "enc", "use": "enc"},
        {"kty": "RSA", "kid": "broken", "n": "x", "e": "y"},
        "not a key", keys["rsa"].jwk,
    ]}
    assert set(parse_key_set(document)) == {"rsa-1"}
    with pytest.raises(ValueError):
        parse_key_set({"keys": "nope"})


class NoKeys:
    """A JWKS that fails the test if anything asks it for a key."""

    async def key_for(self, kid: str | None) -> None:
        raise AssertionError("a key lookup happened")


@pytest.mark.parametrize("token", [
    "x" * 9000,
    forge({"alg": "none", "kid": "k"}, claims()),
    forge({"alg": "HS256", "kid": "k"}, claims(), b"sig"),
    forge({"alg": "RS256", "kid": 7}, claims(), b"sig"),
    forge({"alg": "RS256", "kid": "k" * 300}, claims(), b"sig"),
    forge({"alg": "RS256", "kid": "k"}, {"blob": "x" * 9000}, b"sig"),
    "a.b.c.d",
])
async def test_refused_before_any_key_lookup_or_crypto(token: str) -> None:
    verifier = JwtVerifier(NoKeys(), issuer=ISSUER, audience=None,  # type: ignore[arg-type]
                           leeway_s=30, role_claim=None, org_claim="org_id",
                           multi_workspace=False)
    with pytest.raises(AuthFailed):
        await verifier.verify(token)


async def test_multi_workspace_takes_the_org_claim(jwks: JwksServer, http: httpx.AsyncClient,
                                                   keys: dict[str, Key]) -> None:
    verifier = JwtVerifier(cache(jwks.url + "/jwks.json", http, Clock()), issuer=ISSUER,
                           audience=None, leeway_s=30, role_claim="app_metadata.role",
                           org_claim="org_id", multi_workspace=True)
    principal = await verifier.verify(
        sign(keys["rsa"], claims(org_id="org-42", app_metadata={"role": "admin"})))
    assert principal.workspace_id == "org-42" and principal.role == "admin"
    with pytest.raises(AuthFailed):
        await verifier.verify(sign(keys["rsa"], claims()))


def test_claim_paths_and_roles() -> None:
    payload = {"app_metadata": {"role": "admin"}, "https://example.com/claims": {"atlas": {
        "role": "analyst"}}, "roles": ["viewer", "analyst"], "org": {"id": 7}}
    assert claim_at(payload, "app_metadata.role") == "admin"
    assert claim_at(payload, "https://example.com/claims.atlas.role") == "analyst"
    assert claim_at(payload, "app_metadata.role.deeper") is None
    assert role_from(payload, "roles") == "analyst"
    assert role_from(payload, "missing.path") == "viewer"
    assert role_from({"role": "ADMIN"}, None) == "admin"
    assert role_from({"role": "admin"}, "app_metadata.role") == "viewer"  # only the set claim
    assert workspace_from(payload, "org.id") == "7"
    assert workspace_from({"org_id": True}, "org_id") is None
