"""Bus events drop exactly the principal cache entries they name; a reconnect drops all."""

from __future__ import annotations

from atlas_common.bus import Delivery
from atlas_common.messages import (
    KeyRevoked,
    SessionRevoked,
    UserClaimsChanged,
    UserDeactivated,
    UserRoleChanged,
)
from atlas_common.principal import Principal
from atlas_gateway.auth.cache import PrincipalCache
from atlas_gateway.auth.invalidation import Invalidator

DELIVERY = Delivery(attempt=1, redelivered=False, routing_key="", headers={})


def filled() -> PrincipalCache:
    cache = PrincipalCache(100, 60)
    cache.put("key", Principal(user_id="u1", credential_id="key-1"))
    cache.put("session", Principal(user_id="u2", credential_id="s-1"))
    cache.put("other", Principal(user_id="u3", credential_id="s-3"))
    cache.put("claimed", Principal(user_id="u4", credential_id="s-4"))
    return cache


async def test_each_event_drops_what_it_names_and_nothing_else() -> None:
    cache = filled()
    invalidator = Invalidator(cache)
    await invalidator.handle(KeyRevoked(key_id="key-1", workspace_id="w"), DELIVERY)
    assert cache.get("key") is None and len(cache) == 3
    await invalidator.handle(SessionRevoked(session_id="s-1", user_id="u2"), DELIVERY)
    assert cache.get("session") is None and len(cache) == 2
    await invalidator.handle(UserRoleChanged(user_id="nobody", role="viewer"), DELIVERY)
    assert len(cache) == 2
    claims = UserClaimsChanged(user_id="u4", workspace_id="w", claims={"tenant_id": "acme"})
    await invalidator.handle(claims, DELIVERY)
    assert cache.get("claimed") is None and len(cache) == 1
    await invalidator.handle(UserDeactivated(user_id="u3"), DELIVERY)
    assert len(cache) == 0


def test_a_reconnect_flushes_the_cache() -> None:
    cache = filled()
    Invalidator(cache).flush()
    assert len(cache) == 0
