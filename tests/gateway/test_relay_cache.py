"""The gateway's short-lived cache of query-api's read-mostly answers (tables, starter
prompts): kept per workspace, role, path and query for the TTL, only 200 answers without a
cookie, bounded, and off at TTL 0."""

from __future__ import annotations

from fastapi import Request, Response

from atlas_common.principal import Principal
from atlas_gateway.relay_cache import RelayCache

VIEWER = Principal(user_id="u1", workspace_id="w1", role="viewer")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def request(path: str = "/api/v1/tables", query: bytes = b"") -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "query_string": query,
                    "headers": [], "scheme": "http", "server": ("gw", 80)})


def answer(body: bytes = b'{"tables":[]}', status: int = 200) -> Response:
    response = Response(body, status_code=status)
    response.headers.append("content-type", "application/json")
    response.headers.append("cache-control", "no-store")
    return response


def test_an_answer_is_served_again_until_its_ttl_then_dropped() -> None:
    clock = Clock()
    cache = RelayCache(5.0, clock=clock)
    key = RelayCache.key(request(), VIEWER)
    assert cache.get(key) is None
    cache.put(key, answer())
    clock.now += 4.9
    hit = cache.get(key)
    assert hit is not None and hit.body == b'{"tables":[]}' and hit.status_code == 200
    assert hit.headers["content-type"] == "application/json"
    assert hit.headers["cache-control"] == "no-store"
    assert hit.headers["content-length"] == str(len(b'{"tables":[]}'))
    clock.now += 0.1
    assert cache.get(key) is None


def test_keys_part_workspaces_roles_paths_and_queries() -> None:
    cache = RelayCache(5.0)
    cache.put(RelayCache.key(request(), VIEWER), answer())
    others = [
        RelayCache.key(request(), VIEWER.model_copy(update={"workspace_id": "w2"})),
        RelayCache.key(request(), VIEWER.model_copy(update={"role": "admin"})),
        RelayCache.key(request("/api/v1/starter-prompts"), VIEWER),
        RelayCache.key(request(query=b"connectionId=crm"), VIEWER),
    ]
    assert all(cache.get(k) is None for k in others)
    same_workspace_and_role = VIEWER.model_copy(update={"user_id": "u2"})
    assert cache.get(RelayCache.key(request(), same_workspace_and_role)) is not None


def test_only_a_200_without_a_cookie_is_kept() -> None:
    cache = RelayCache(5.0)
    key = RelayCache.key(request(), VIEWER)
    cache.put(key, answer(b'{"error":{}}', status=404))
    assert cache.get(key) is None
    with_cookie = answer()
    with_cookie.headers.append("set-cookie", "s=1")
    cache.put(key, with_cookie)
    assert cache.get(key) is None


def test_ttl_zero_caches_nothing_and_the_size_is_bounded() -> None:
    off = RelayCache(0.0)
    key = RelayCache.key(request(), VIEWER)
    off.put(key, answer())
    assert off.get(key) is None
    small = RelayCache(5.0, max_entries=2)
    keys = [RelayCache.key(request(query=f"limit={n}".encode()), VIEWER) for n in range(3)]
    for k in keys:
        small.put(k, answer())
    assert small.get(keys[0]) is None  # the least recently used went
    assert small.get(keys[1]) is not None and small.get(keys[2]) is not None
