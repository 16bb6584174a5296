"""The per-replica principal cache: bounded, expiring, never past the credential, indexed."""

from datetime import UTC, datetime

from atlas_common.principal import Principal
from atlas_gateway.auth.cache import PrincipalCache

NOW = 1_800_000_000.0


class Clock:
    """Time the test moves: nothing here sleeps."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def p(user: str, cred: str | None = None, expires_in: float | None = None) -> Principal:
    expires = None if expires_in is None else datetime.fromtimestamp(NOW + expires_in, UTC)
    return Principal(user_id=user, credential_id=cred, expires_at=expires)


def test_entries_are_dropped_by_the_ids_events_carry() -> None:
    cache = PrincipalCache(100, 60)
    cache.put("k1", p("u1", "s1"))
    cache.put("k2", p("u1", "s2"))
    cache.put("k3", p("u2", "key-9"))
    assert cache.drop_id("cred:s1") == 1 and cache.get("k1") is None
    assert cache.get("k2") is not None
    assert cache.drop_id("user:u1") == 1 and cache.get("k2") is None
    assert cache.drop_id("cred:key-9") == 1 and len(cache) == 0


def test_never_outlives_the_credential_or_the_ttl() -> None:
    clock = Clock()
    cache = PrincipalCache(100, 60, clock=clock)
    cache.put("expired", p("u", "s", expires_in=-1))
    assert cache.get("expired") is None
    cache.put("short", p("u", "s2", expires_in=5))
    clock.now += 4.9
    assert cache.get("short") is not None
    clock.now += 0.2
    assert cache.get("short") is None
    ttl_cache = PrincipalCache(100, 30, clock=clock)
    ttl_cache.put("k", p("u"), ttl_s=3600)  # the cache's own TTL is the shorter bound
    clock.now += 29.9
    assert ttl_cache.get("k") is not None
    clock.now += 0.2
    assert ttl_cache.get("k") is None


def test_bounded_lru() -> None:
    cache = PrincipalCache(2, 60)
    cache.put("a", p("a"))
    cache.put("b", p("b"))
    cache.get("a")
    cache.put("c", p("c"))
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert cache.drop_id("user:b") == 0
