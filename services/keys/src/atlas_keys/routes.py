"""Thin routes: the public key management (relayed by the gateway), the internal verify, and
the internal read of a computed limit's count (``api-keys``) for the gateway's plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from atlas_common.errors import NotFound
from atlas_common.internal import principal_from_request
from atlas_common.wire.admin import LimitCount
from atlas_keys.deps import AdminDep, ServiceDep, get_state
from atlas_keys.schemas import (
    CreatedKeyOut,
    CreateKeyBody,
    DeleteKeyBody,
    KeyList,
    Success,
    VerifiedKey,
    VerifyKeyBody,
)

public = APIRouter(prefix="/api/auth/api-key", tags=["API keys"])
internal = APIRouter(prefix="/internal/v1", tags=["internal"])


@public.get("/list")
async def list_keys(admin: AdminDep, service: ServiceDep,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100,
                    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> KeyList:
    return await service.list(admin, limit=limit, offset=offset)


@public.post("/create")
async def create_key(body: CreateKeyBody, admin: AdminDep, service: ServiceDep) -> CreatedKeyOut:
    return await service.create(admin, body)


@public.post("/delete")
async def delete_key(body: DeleteKeyBody, admin: AdminDep, service: ServiceDep) -> Success:
    await service.revoke(admin, body.key_id)
    return Success()


@internal.post("/verify-key")
async def verify_key(body: VerifyKeyBody, service: ServiceDep) -> VerifiedKey:
    return await service.verify(body.key)


@internal.get("/limits/{feature}")
async def limit_count(request: Request,
                      feature: Annotated[str, Path(max_length=100)]) -> LimitCount:
    """The count the gate checks the plan's limit against (the same limit provider), for the
    workspace of the principal the gateway passed on: the plan shows it as ``used``."""
    workspace = principal_from_request(request).workspace_id
    provider = get_state(request).entitlements.providers.get(feature)
    if provider is None:
        raise NotFound(f"The keys service counts no {feature!r}")
    return LimitCount(feature=feature, used=await provider(workspace))
