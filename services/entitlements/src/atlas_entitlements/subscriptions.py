"""The operator API's behaviour: subscriptions and overrides. Every change bumps the
customer's version and writes ``subscription.changed`` to the outbox in its transaction
(:mod:`atlas_common.outbox`): relayed to the bus after the commit, never lost. The event names the
plan the customer is subscribed to after the change (None: no subscription, the default plan),
for the audit trail.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from atlas_common import outbox
from atlas_common.messages import SubscriptionChanged
from atlas_entitlements import repository
from atlas_entitlements.errors import OverrideNotFound, UnknownFeature, UnknownPlan
from atlas_entitlements.plans import Catalog
from atlas_entitlements.repository import OverrideRow
from atlas_entitlements.schemas import (
    CatalogOut,
    OverrideBody,
    OverrideList,
    OverrideOut,
    SubscriptionOut,
)


class OperatorService:
    def __init__(self, pool: Any, catalog: Catalog) -> None:
        self.pool = pool
        self.catalog = catalog

    @staticmethod
    async def _changed(conn: Any, customer_id: str, version: int) -> None:
        """In the change's transaction: every cache drops the customer once it commits."""
        plan = await repository.plan_of(conn, customer_id)
        await outbox.enqueue(conn, repository.SCHEMA, SubscriptionChanged(
            customer_id=customer_id, version=version, plan=plan))

    def plans(self) -> CatalogOut:
        return CatalogOut.of(self.catalog)

    async def subscribe(self, customer_id: str, plan: str) -> SubscriptionOut:
        if plan not in self.catalog.plans or self.catalog.open:
            raise UnknownPlan(plan)
        async with self.pool.acquire() as conn, conn.transaction():
            version = await repository.bump_version(conn, customer_id)  # the row first (FK)
            await repository.set_subscription(conn, customer_id, plan)
            await self._changed(conn, customer_id, version)
        return SubscriptionOut(customer_id=customer_id, plan=plan, subscribed=True,
                               version=version)

    async def unsubscribe(self, customer_id: str) -> SubscriptionOut:
        async with self.pool.acquire() as conn, conn.transaction():
            await repository.delete_subscription(conn, customer_id)
            version = await repository.bump_version(conn, customer_id)
            await self._changed(conn, customer_id, version)
        return SubscriptionOut(customer_id=customer_id, plan=self.catalog.default_plan,
                               subscribed=False, version=version)

    async def add_override(self, customer_id: str, body: OverrideBody) -> OverrideOut:
        feature = self.catalog.features.get(body.feature)
        if feature is None:
            raise UnknownFeature(body.feature)
        values = body.stored_values(feature.type, _expiry(body))
        async with self.pool.acquire() as conn, conn.transaction():
            version = await repository.bump_version(conn, customer_id)
            row = await repository.insert_override(conn, customer_id, values)
            await self._changed(conn, customer_id, version)
        return OverrideOut.of(row, datetime.now(UTC), version)

    async def overrides(self, customer_id: str) -> OverrideList:
        rows = await repository.overrides_of(self.pool, customer_id)
        now = datetime.now(UTC)
        return OverrideList(overrides=[OverrideOut.of(r, now) for r in rows])

    async def revoke_override(self, customer_id: str, override_id: int) -> OverrideOut:
        async with self.pool.acquire() as conn, conn.transaction():
            if not await repository.revoke_override(conn, customer_id, override_id):
                raise OverrideNotFound()
            version = await repository.bump_version(conn, customer_id)
            row = _one(await repository.overrides_of(conn, customer_id), override_id)
            await self._changed(conn, customer_id, version)
        return OverrideOut.of(row, datetime.now(UTC), version)


def _expiry(body: OverrideBody) -> datetime | None:
    if body.expires_in is not None:
        return datetime.now(UTC) + timedelta(seconds=body.expires_in)
    return body.expires_at


def _one(rows: list[OverrideRow], override_id: int) -> OverrideRow:
    return next(r for r in rows if r.id == override_id)
