"""The per-replica principal cache: bounded LRU, short TTL, never past the credential's expiry.

Entries are indexed by the ids that invalidation events carry (credential id: key or session;
user id), so ``key.revoked`` or ``user.deactivated`` drops exactly what they concern.
"""

from __future__ import annotations

import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from atlas_common.principal import Principal


@dataclass(frozen=True, slots=True)
class Entry:
    principal: Principal
    expires_at: float  # on the cache's clock


class PrincipalCache:
    """``clock`` is wall time (seconds): a credential's expiry is a wall-clock instant, and
    one clock for both bounds keeps them comparable; tests pass a clock they move."""

    def __init__(self, max_entries: int, ttl_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._by_id: defaultdict[str, set[str]] = defaultdict(set)
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._clock = clock

    def get(self, key: str) -> Principal | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry.expires_at:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.principal

    def put(self, key: str, principal: Principal, ttl_s: float | None = None) -> None:
        ttl = min(self.ttl_s, ttl_s if ttl_s is not None else self.ttl_s)
        now = self._clock()
        if principal.expires_at is not None:
            ttl = min(ttl, principal.expires_at.timestamp() - now)
        if ttl <= 0:
            return
        self._drop(key)
        self._entries[key] = Entry(principal, now + ttl)
        for ident in _ids(principal):
            self._by_id[ident].add(key)
        while len(self._entries) > self.max_entries:
            self._drop(next(iter(self._entries)))

    def drop_key(self, key: str) -> None:
        self._drop(key)

    def drop_id(self, ident: str) -> int:
        """Drop every entry of this credential or user id; returns how many."""
        keys = self._by_id.pop(ident, set())
        for key in keys:
            self._drop(key)
        return len(keys)

    def clear(self) -> None:
        self._entries.clear()
        self._by_id.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for ident in _ids(entry.principal):
            keys = self._by_id.get(ident)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_id[ident]


def _ids(principal: Principal) -> list[str]:
    ids = [f"user:{principal.user_id}"]
    if principal.credential_id:
        ids.append(f"cred:{principal.credential_id}")
    return ids
