"""HTTP routes of the query-api, at the paths the gateway exposes. Thin: the service works."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from atlas_query.api.deps import PrincipalDep, ServiceDep, internal_token
from atlas_query.api.schemas import (
    HealthResponse,
    TablesResponse,
    ValidateSqlRequest,
    ValidateSqlResponse,
)

public = APIRouter()
internal = APIRouter(dependencies=[Depends(internal_token)])


@public.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@internal.get("/api/v1/tables", response_model=TablesResponse)
async def tables(service: ServiceDep, _principal: PrincipalDep) -> TablesResponse:
    return service.tables()


@internal.post("/api/v1/validate-sql", response_model=ValidateSqlResponse)
async def validate_sql(
    body: ValidateSqlRequest, service: ServiceDep, principal: PrincipalDep
) -> ValidateSqlResponse:
    return service.validate_sql(body.sql, principal)


@internal.get("/internal/v1/health", response_model=HealthResponse)
async def health(service: ServiceDep) -> HealthResponse:
    """For the gateway's /api/health: behind the internal token, no caller to speak of."""
    return await service.health()
