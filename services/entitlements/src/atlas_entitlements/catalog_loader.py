"""Loading the plans file into the database at start (PostgreSQL is the source of truth).

Under an advisory lock, so replicas starting together load once. An unchanged file (same
checksum) changes nothing; a changed one replaces the stored catalog, takes a new version and
is announced as ``subscription.changed`` for customer ``*`` (every cache drops everything),
written to the outbox in the same transaction. A
file that drops a plan someone is subscribed to is refused with a PlansFileError.
"""

from __future__ import annotations

import hashlib
from typing import Any

from atlas_common import outbox
from atlas_common.entitlements import ALL_CUSTOMERS
from atlas_common.messages import SubscriptionChanged
from atlas_entitlements import repository
from atlas_entitlements.plans import BUILT_IN, Catalog, PlansFileError, load_plans_file

_LOCK = int.from_bytes(hashlib.sha256(b"atlas-entitlements:catalog").digest()[:8], "big",
                       signed=True)


async def refuse_dropped_plans(db: Any, catalog: Catalog, path: str) -> None:
    dropped = await repository.subscribers_outside(db, list(catalog.plans))
    if dropped:
        plan, count, example = dropped[0]
        raise PlansFileError(
            path,
            f"drops plan {plan!r}, which {count} customer(s) are subscribed to (e.g. "
            f"{example!r}); keep the plan or move them to another plan first",
            "plans",
        )


async def load_catalog(pool: Any, path: str) -> tuple[Catalog, bool]:
    """The catalog to serve, and whether it changed. No file: the built-in one."""
    if not path:
        return BUILT_IN, False
    catalog = load_plans_file(path)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
        stored = await repository.catalog_row(conn)
        changed = stored is None or stored[0] != catalog.checksum()
        if changed:
            await refuse_dropped_plans(conn, catalog, path)
            await repository.replace_catalog(conn, catalog)
        loaded = await repository.read_catalog(conn)
        if changed:  # limits may have moved for anyone
            await outbox.enqueue(conn, repository.SCHEMA, SubscriptionChanged(
                customer_id=ALL_CUSTOMERS, version=loaded.version))
        return loaded, changed
