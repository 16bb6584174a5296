"""HTTP routes of the query-api, at the paths the gateway exposes. Thin: the service works."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from atlas_common.wire.starter_prompts import StarterPromptsResponse
from atlas_query.api.deps import PrincipalDep, ServiceDep
from atlas_query.api.schemas import (
    HealthResponse,
    TablesResponse,
    ValidateSqlRequest,
    ValidateSqlResponse,
)

internal = APIRouter()

@internal.get("/api/v1/tables", response_model=TablesResponse)
async def tables(
    service: ServiceDep,
    _principal: PrincipalDep,
    connection_id: Annotated[str | None, Query(alias="connectionId", max_length=200)] = None,
) -> TablesResponse:
    return service.tables(connection_id)


@internal.post("/api/v1/validate-sql", response_model=ValidateSqlResponse)
async def validate_sql(
    body: ValidateSqlRequest, service: ServiceDep, principal: PrincipalDep
) -> ValidateSqlResponse:
    return service.validate_sql(body.sql, principal, body.connection_id)


@internal.get("/api/v1/starter-prompts", response_model=StarterPromptsResponse)
async def starter_prompts(
    service: ServiceDep, _principal: PrincipalDep, limit: int | None = None
) -> StarterPromptsResponse:
    return service.starter_prompts(limit)


@internal.get("/internal/v1/health", response_model=HealthResponse)
async def health(service: ServiceDep) -> HealthResponse:
    """For the gateway's /api/health: behind the internal token, no caller to speak of."""
    return await service.health()
