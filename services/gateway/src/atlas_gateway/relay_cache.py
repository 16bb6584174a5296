"""Read-mostly answers of query-api, kept a few seconds per workspace and role (issue 23).

``GET /api/v1/tables`` and ``GET /api/v1/starter-prompts`` answer from the semantic layer,
which query-api loads once at start and never reloads (no event says it changed), so a short
TTL (``ATLAS_GATEWAY_RELAY_CACHE_TTL_S``, default 5 s; 0 turns it off) is the whole bound: a
new layer is served at most that long after query-api restarts with it. Without the cache the
hop to query-api (a second process's request handling) is most of what the route costs.

The caller is authenticated, allowed and rate-limited before the cache is read: a cached
answer skips only the relay. Entries are keyed by workspace and role (what query-api could
ever tailor an answer to) and the exact path and query string; only 200 answers are kept.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request, Response

from atlas_common.principal import Principal


@dataclass(frozen=True, slots=True)
class Cached:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    expires_at: float  # on the cache's clock

    def response(self) -> Response:
        response = Response(self.body)  # sets content-length from the body
        for key, value in self.headers:
            response.headers.append(key, value)
        return response


class RelayCache:
    """A bounded LRU with one TTL; ``clock`` is monotonic seconds (tests pass their own)."""

    def __init__(self, ttl_s: float, max_entries: int = 1024,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[str, ...], Cached] = OrderedDict()

    @staticmethod
    def key(request: Request, principal: Principal) -> tuple[str, ...]:
        query = request.scope.get("query_string", b"").decode("latin-1")
        return (principal.workspace_id, principal.role, request.url.path, query)

    def get(self, key: tuple[str, ...]) -> Response | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry.expires_at:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry.response()

    def put(self, key: tuple[str, ...], response: Response) -> None:
        if self.ttl_s <= 0 or response.status_code != 200 or "set-cookie" in response.headers:
            return  # a cookie is one caller's: never replayed to another
        headers = tuple(
            (k, v) for k, v in response.headers.items() if k.lower() != "content-length"
        )
        self._entries[key] = Cached(bytes(response.body), headers, self._clock() + self.ttl_s)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
