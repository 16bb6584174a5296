"""Thin routes: the public key management (relayed by the gateway) and the internal verify."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from atlas_keys.deps import AdminDep, ServiceDep
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
