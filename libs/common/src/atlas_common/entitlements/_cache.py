"""The per-process cache of customer snapshots, with a version guard.

Versions come from one sequence in the entitlements service, so they only grow. An event
(``subscription.changed``) raises the customer's floor and drops the entry; a read that was
slower than the event returns a version under the floor and is not stored, so a slow read never
brings an old plan back. A flush (the broker reconnected: events may have been missed) marks
every entry stale and refuses reads begun before it. ``customer_id == "*"`` is the catalog
(the plans file changed): it raises every floor.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from atlas_common.entitlements._models import Snapshot

ALL_CUSTOMERS = "*"


@dataclass(slots=True)
class _Entry:
    snapshot: Snapshot
    fresh_until: float
    stale_until: float


class SnapshotCache:
    def __init__(self, ttl_s: float, stale_s: float, max_entries: int = 10_000) -> None:
        self.ttl_s = ttl_s
        self.stale_s = stale_s
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._floors: dict[str, int] = {}
        self._global_floor = 0
        self._generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    def fresh(self, customer_id: str) -> Snapshot | None:
        entry = self._entries.get(customer_id)
        if entry is None or time.monotonic() >= entry.fresh_until:
            return None
        self._entries.move_to_end(customer_id)
        return entry.snapshot

    def last_known_good(self, customer_id: str) -> Snapshot | None:
        """A snapshot past its TTL but within the stale bound (the service is unreachable)."""
        entry = self._entries.get(customer_id)
        if entry is None or time.monotonic() >= entry.stale_until:
            return None
        return entry.snapshot

    def begin(self) -> int:
        """A token to pass to :meth:`put`: reads begun before a flush are not stored."""
        return self._generation

    def floor(self, customer_id: str) -> int:
        return max(self._floors.get(customer_id, 0), self._global_floor)

    def put(self, snapshot: Snapshot, token: int) -> bool:
        """Store a read unless a newer version is known; False when refused."""
        customer = snapshot.customer_id
        current = self._entries.get(customer)
        if token != self._generation or snapshot.version < self.floor(customer):
            return False
        if current is not None and current.snapshot.version > snapshot.version:
            return False
        now = time.monotonic()
        fresh_until = now + self.ttl_s
        stale_until = fresh_until + self.stale_s
        if snapshot.expires_at is not None:  # an override ends: do not serve it past that
            left = (snapshot.expires_at - datetime.now(UTC)).total_seconds()
            fresh_until = min(fresh_until, now + left)
            stale_until = min(stale_until, now + left)
        self._entries[customer] = _Entry(snapshot, fresh_until, stale_until)
        self._entries.move_to_end(customer)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return True

    def invalidate(self, customer_id: str, version: int) -> int:
        """An event said ``customer_id`` changed to ``version``: drop what is older."""
        if customer_id == ALL_CUSTOMERS:
            self._global_floor = max(self._global_floor, version)
            stale = [c for c, e in self._entries.items() if e.snapshot.version < version]
        else:
            self._floors[customer_id] = max(self._floors.get(customer_id, 0), version)
            self._bound_floors()
            entry = self._entries.get(customer_id)
            stale = [customer_id] if entry and entry.snapshot.version < version else []
        for customer in stale:
            del self._entries[customer]
        return len(stale)

    def _bound_floors(self) -> None:
        # A floor only matters while a read of that customer is in flight: keep the newest.
        if len(self._floors) > 4 * self.max_entries:
            for customer in list(self._floors)[: len(self._floors) // 2]:
                del self._floors[customer]

    def flush(self) -> None:
        """Events may have been missed: nothing is fresh, but each entry stays last-known-good."""
        self._generation += 1
        now = time.monotonic()
        for entry in self._entries.values():
            entry.fresh_until = min(entry.fresh_until, now)
