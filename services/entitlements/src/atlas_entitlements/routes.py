"""Thin routes. ``internal``: what gating services call. ``operator``: plans, subscriptions and
overrides, for the people who sell Atlas on. Both need the internal token (never a workspace
admin: the gateway does not route here)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from atlas_common.entitlements import Decision, Refund, Snapshot
from atlas_entitlements.deps import CustomerPath, OperatorDep, ServiceDep
from atlas_entitlements.schemas import (
    CatalogOut,
    CheckBody,
    ConsumeBody,
    OverrideBody,
    OverrideList,
    OverrideOut,
    RefundBody,
    SubscriptionBody,
    SubscriptionOut,
)

internal = APIRouter(prefix="/internal/v1", tags=["internal"])
operator = APIRouter(prefix="/internal/v1", tags=["operator"])
OverrideId = Annotated[int, Path(ge=1, le=2**62)]


@internal.get("/customers/{customer_id:path}/entitlements")
async def entitlements(customer_id: CustomerPath, service: ServiceDep) -> Snapshot:
    return await service.snapshot(customer_id)


@internal.post("/check", response_model=Decision)
async def check(body: CheckBody, service: ServiceDep) -> Response:
    return _json(await service.check(body))


@internal.post("/consume", response_model=Decision)
async def consume(body: ConsumeBody, service: ServiceDep) -> Response:
    return _json(await service.consume(body))


def _json(decision: Decision) -> Response:
    """The hot path: serialized once (FastAPI would validate the model again first)."""
    return Response(decision.model_dump_json(), media_type="application/json")


@internal.post("/refund")
async def refund(body: RefundBody, service: ServiceDep) -> Refund:
    return await service.refund(body.idempotency_key)


@operator.get("/plans")
async def plans(ops: OperatorDep) -> CatalogOut:
    return ops.plans()


@operator.put("/customers/{customer_id:path}/subscription")
async def subscribe(customer_id: CustomerPath, body: SubscriptionBody,
                    ops: OperatorDep) -> SubscriptionOut:
    return await ops.subscribe(customer_id, body.plan)


@operator.delete("/customers/{customer_id:path}/subscription")
async def unsubscribe(customer_id: CustomerPath, ops: OperatorDep) -> SubscriptionOut:
    return await ops.unsubscribe(customer_id)


@operator.get("/customers/{customer_id:path}/overrides")
async def overrides(customer_id: CustomerPath, ops: OperatorDep) -> OverrideList:
    return await ops.overrides(customer_id)


@operator.post("/customers/{customer_id:path}/overrides", status_code=201)
async def add_override(customer_id: CustomerPath, body: OverrideBody,
                       ops: OperatorDep) -> OverrideOut:
    return await ops.add_override(customer_id, body)


@operator.delete("/customers/{customer_id:path}/overrides/{override_id}")
async def revoke_override(customer_id: CustomerPath, override_id: OverrideId,
                          ops: OperatorDep) -> OverrideOut:
    return await ops.revoke_override(customer_id, override_id)
