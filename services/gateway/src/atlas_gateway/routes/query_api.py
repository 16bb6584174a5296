"""Routes served by query-api: the tables the semantic layer exposes, validate-sql and the
starter prompts. The response models document the wire; the bodies are relayed as they are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from atlas_common.principal import Principal
from atlas_common.wire.data import TablesResponse, ValidateSqlRequest, ValidateSqlResponse
from atlas_common.wire.errors import error_responses
from atlas_common.wire.starter_prompts import StarterPromptsResponse
from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.proxy import relay_to_query_api
from atlas_gateway.relay_cache import RelayCache
from atlas_gateway.state import GatewayState

router = APIRouter(tags=["Data"])
ConnectionId = Annotated[
    str | None,
    Query(
        alias="connectionId",
        max_length=200,
        description="`default` or a semantic layer source; unknown -> 404 `not_found`.",
    ),
]


@router.get(
    "/api/v1/tables",
    response_model=TablesResponse,
    summary="Tables and columns the semantic layer exposes",
    responses=error_responses(401, 404),
)
async def tables(
    request: Request,
    state: State,
    principal: CurrentPrincipal,
    connection_id: ConnectionId = None,
) -> Response:
    return await _cached_relay(request, state, principal)


@router.post(
    "/api/v1/validate-sql",
    response_model=ValidateSqlResponse,
    summary="Check SQL with the guard, without running it",
    responses=error_responses(401, 403, 404, 422),
)
async def validate_sql(
    body: ValidateSqlRequest, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await relay_to_query_api(request, state, principal)


@router.get(
    "/api/v1/starter-prompts",
    response_model=StarterPromptsResponse,
    summary="Questions to offer on an empty chat",
    responses=error_responses(401, 422),
)
async def starter_prompts(
    request: Request,
    state: State,
    principal: CurrentPrincipal,
    limit: Annotated[int | None, Query(description="1..50 (clamped), default 6.")] = None,
) -> Response:
    return await _cached_relay(request, state, principal)


async def _cached_relay(request: Request, state: GatewayState, principal: Principal) -> Response:
    """The relay, answered from the gateway's short-lived cache when it holds the answer."""
    key = RelayCache.key(request, principal)
    cached = state.relay_cache.get(key)
    if cached is not None:
        return cached
    response = await relay_to_query_api(request, state, principal)
    state.relay_cache.put(key, response)
    return response
