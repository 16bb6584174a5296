"""Deciding and spending: snapshot, check, consume (atomic, idempotent), refund, usage events.

A consume is one transaction: the ledger row (unique on the idempotency key) and the counter
move together, and the counter only moves when it stays within a hard limit, so parallel
spenders never pass it. A denied spend writes nothing, so its key can be tried again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from atlas_common.entitlements import Decision, Limit, Refund, Snapshot, period_bounds
from atlas_common.messages import UsageRecorded
from atlas_entitlements import repository
from atlas_entitlements.errors import IdempotencyConflict, NotConsumable
from atlas_entitlements.plans import Catalog
from atlas_entitlements.repository import Spend
from atlas_entitlements.resolve import periods_of, snapshot_of
from atlas_entitlements.schemas import CheckBody, ConsumeBody
from atlas_entitlements.usage_batch import UsageBatcher

log = logging.getLogger(__name__)


class _Denied(Exception):
    def __init__(self, decision: Decision) -> None:
        self.decision = decision


class EntitlementsService:
    def __init__(self, pool: Any, catalog: Catalog, counter: UsageBatcher | None = None) -> None:
        self.pool = pool
        self.catalog = catalog
        self.counter = counter

    async def snapshot(self, customer_id: str) -> Snapshot:
        now = datetime.now(UTC)
        state = await repository.customer_state(self.pool, customer_id,
                                                periods_of(self.catalog, now))
        return snapshot_of(self.catalog, customer_id, state, now)

    async def check(self, body: CheckBody) -> Decision:
        limit, _ = await self._limit(self.pool, body.customer_id, body.feature)
        grant = limit.grant
        used = body.used if grant is None or grant.type != "metered" else grant.used
        if grant is not None and grant.type == "gauge" and grant.limited and used is None:
            log.warning("check of gauge %s without a value: no_limit_provider", body.feature)
        return limit.decide(used, body.requested)

    async def _limit(self, db: Any, customer_id: str, feature: str,
                     key: str | None = None) -> tuple[Limit, Spend | None]:
        now = datetime.now(UTC)
        state = await repository.customer_state(
            db, customer_id, periods_of(self.catalog, now, feature), key)
        snapshot = snapshot_of(self.catalog, customer_id, state, now)
        return Limit.of(snapshot, feature, "service"), state.prior

    async def consume(self, body: ConsumeBody) -> Decision:
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                return await self._consume(conn, body)
        except _Denied as denied:  # rolled back: nothing of this spend was written
            return denied.decision

    async def _consume(self, conn: Any, body: ConsumeBody) -> Decision:
        limit, prior = await self._limit(conn, body.customer_id, body.feature,
                                         body.idempotency_key)
        if prior is not None:
            return self._replay(body, prior)
        grant = limit.grant
        if grant is not None and grant.type != "metered":
            raise NotConsumable(body.feature, grant.type)
        decision = limit.decide(grant.used if grant else 0, body.amount)
        if not decision.allowed:
            return decision
        spend = self._spend(body)
        cap = grant.limit if grant is not None and grant.hard_consumable else None
        recorded, used = await repository.spend(conn, body.idempotency_key, spend, cap)
        if not recorded:  # a parallel twin with the same key won
            twin = await repository.spend_of(conn, body.idempotency_key)
            return self._replay(body, twin) if twin else decision
        if used is None:
            now_used = await repository.usage(conn, spend.customer_id, spend.feature_id,
                                              spend.period_start)
            raise _Denied(limit.decide(now_used, body.amount))
        return self._spent(limit, used, body.amount)

    def _spent(self, limit: Limit, used: int, amount: int) -> Decision:
        decision = limit.decide(used - amount, amount)
        if decision.limit is None:
            return decision.model_copy(update={"used": used})
        return decision.model_copy(
            update={"used": used, "remaining": max(decision.limit - used, 0)})

    def _spend(self, body: ConsumeBody) -> Spend:
        feature = self.catalog.features.get(body.feature)
        start, _ = period_bounds(feature.reset if feature else "none", datetime.now(UTC))
        return Spend(body.customer_id, body.feature, body.amount, start, None)

    def _replay(self, body: ConsumeBody, prior: Spend) -> Decision:
        if (prior.customer_id, prior.feature_id, prior.amount) != (
            body.customer_id, body.feature, body.amount
        ):
            raise IdempotencyConflict(body.idempotency_key)
        return Decision(allowed=True, reason="ok", feature=body.feature, replayed=True)

    async def refund(self, key: str) -> Refund:
        async with self.pool.acquire() as conn, conn.transaction():
            spend = await repository.refund(conn, key)
        if spend is None:
            return Refund(refunded=False, idempotency_key=key)
        return Refund(refunded=True, idempotency_key=key, customer_id=spend.customer_id,
                      feature=spend.feature_id, amount=spend.amount)

    async def record_usage(self, event: UsageRecorded) -> bool:
        """Count a usage event exactly once (its idempotency key); False for a duplicate."""
        if event.amount <= 0:
            log.warning("usage event with amount %s ignored", event.amount,
                        extra={"idempotency_key": event.idempotency_key})
            return False
        feature = self.catalog.features.get(event.feature)
        start, _ = period_bounds(feature.reset if feature else "none", event.occurred_at)
        spend = Spend(event.customer_id, event.feature, event.amount, start, None)
        if self.counter is not None:
            return await self.counter.count(event.idempotency_key, spend)
        return await repository.count_event(self.pool, event.idempotency_key, spend)
