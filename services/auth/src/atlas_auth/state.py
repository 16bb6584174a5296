"""The auth service's state: the clients and services its mode needs, built in the lifespan.

Only what the mode needs is opened: managed opens PostgreSQL (and migrates schema ``auth``),
Redis and the bus; byot opens an HTTP client for the JWKS; none and simple-key open nothing.
Stored API keys (``atlas_sk_...``) are verified by the keys service in managed and byot modes
(:mod:`atlas_auth.stored_keys_http`) unless the caller passes its own verifier; other modes
refuse them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from atlas_auth.byot.jwks import JwksCache
from atlas_auth.byot.tokens import JwtVerifier
from atlas_auth.managed import users_repository
from atlas_auth.managed.accounts import Accounts, SignUpPolicy
from atlas_auth.managed.admin import Admin
from atlas_auth.managed.passwords import Passwords
from atlas_auth.managed.sessions import Sessions
from atlas_auth.managed.throttle import Throttle
from atlas_auth.settings import AuthSettings
from atlas_auth.simple_key import SimpleKeyVerifier
from atlas_auth.stored_keys import RefusingStoredKeyVerifier, StoredKeyVerifier
from atlas_auth.stored_keys_http import HttpStoredKeyVerifier, users_lookup
from atlas_auth.verify import Verifier
from atlas_common.bus import Bus
from atlas_common.db import create_pool, migrate
from atlas_common.outbox import OutboxRelay
from atlas_common.redis_resilience import resilient_redis
from atlas_common.tracing import http_transport

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Managed:
    accounts: Accounts
    admin: Admin


@dataclass
class AuthState:
    settings: AuthSettings
    verifier: Verifier
    managed: Managed | None = None


@asynccontextmanager
async def build_state(settings: AuthSettings,
                      stored_keys: StoredKeyVerifier | None = None) -> AsyncIterator[AuthState]:
    mode = settings.check()
    async with AsyncExitStack() as stack:
        if mode == "managed":
            yield await _managed(settings, stack, stored_keys)
        elif mode == "byot":
            keys = _closing(stack, stored_keys or HttpStoredKeyVerifier(
                settings.keys_url, settings.internal_token, "byot"))
            yield await _byot(settings, stack, keys)
        else:
            yield _simple_or_none(settings, _closing(stack,
                                                     stored_keys or RefusingStoredKeyVerifier()))


def _closing(stack: AsyncExitStack, stored_keys: StoredKeyVerifier) -> StoredKeyVerifier:
    stack.push_async_callback(stored_keys.aclose)
    return stored_keys


def _simple_or_none(settings: AuthSettings, stored_keys: StoredKeyVerifier) -> AuthState:
    if settings.check() == "simple-key":
        assert settings.api_key is not None
        simple = SimpleKeyVerifier(settings.api_key.get_secret_value(),
                                   settings.api_key_role, settings.static_claims())
        return AuthState(settings, _verifier(settings, stored_keys, simple_key=simple))
    return AuthState(settings, _verifier(settings, stored_keys))


def _verifier(settings: AuthSettings, stored_keys: StoredKeyVerifier, *,
              simple_key: SimpleKeyVerifier | None = None, jwt: JwtVerifier | None = None,
              sessions: Sessions | None = None) -> Verifier:
    return Verifier(settings.check(), cache_ttl_s=settings.cache_ttl_s,
                    trusted_origins=settings.trusted_origin_list(), stored_keys=stored_keys,
                    simple_key=simple_key, jwt=jwt, sessions=sessions)


async def _byot(settings: AuthSettings, stack: AsyncExitStack,
                stored_keys: StoredKeyVerifier) -> AuthState:
    client = httpx.AsyncClient(timeout=httpx.Timeout(5.0), trust_env=False,
                               headers={"user-agent": "atlas-auth"}, transport=http_transport())
    stack.push_async_callback(client.aclose)
    assert settings.jwks_url is not None and settings.issuer is not None
    jwks = JwksCache(settings.jwks_url, client, ttl_s=settings.jwks_cache_ttl_s,
                     min_refetch_s=settings.jwks_min_refetch_s)
    jwt = JwtVerifier(jwks, issuer=settings.issuer, audience=settings.audience or None,
                      leeway_s=settings.jwt_leeway_s, role_claim=settings.role_claim or None,
                      org_claim=settings.org_claim, multi_workspace=settings.multi_workspace)
    return AuthState(settings, _verifier(settings, stored_keys, jwt=jwt))


async def _managed(settings: AuthSettings, stack: AsyncExitStack,
                   given_keys: StoredKeyVerifier | None) -> AuthState:
    assert settings.better_auth_secret is not None
    pool = await create_pool(settings.database_url, max_size=settings.pool_size(10))
    stack.push_async_callback(pool.close)
    await migrate(pool, users_repository.SCHEMA, MIGRATIONS)
    # Closed before the pool (LIFO): the creator lookup reads auth.users through it.
    stored_keys = _closing(stack, given_keys or HttpStoredKeyVerifier(
        settings.keys_url, settings.internal_token, "managed", creators=users_lookup(pool)))
    redis = resilient_redis(settings.redis_url)
    stack.push_async_callback(redis.aclose)
    bus = await Bus.connect(settings.rabbitmq_url, delivery_limit=settings.job_delivery_limit,
                            query_max_length=settings.query_queue_max_length)
    stack.push_async_callback(bus.close)
    relay = OutboxRelay(pool, bus, users_repository.SCHEMA)  # session and user events
    await relay.start()
    stack.push_async_callback(relay.stop)
    passwords = Passwords(time_cost=settings.argon2_time_cost,
                          memory_kib=settings.argon2_memory_kib)
    sessions = Sessions(pool, settings.better_auth_secret.get_secret_value())
    throttle = Throttle(redis, settings.redis_prefix, per_account=settings.signin_max_per_account,
                        per_address=settings.signin_max_per_address,
                        window_s=settings.signin_window_s)
    policy = SignUpPolicy(settings.admin_email, settings.signup, settings.multi_workspace)
    managed = Managed(Accounts(pool, passwords, sessions, throttle, policy),
                      Admin(pool, passwords))
    return AuthState(settings, _verifier(settings, stored_keys, sessions=sessions), managed)
