"""Routes served by query-api: the tables the semantic layer exposes, and validate-sql."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.proxy import relay

router = APIRouter(tags=["Data"])


@router.get(
    "/api/v1/tables",
    summary="Tables and columns the semantic layer exposes",
    responses={200: {"description": "`{tables: [{table, description, columns}]}`"}},
)
async def tables(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay(request, state, state.settings.query_api_url, "query", principal)


@router.post(
    "/api/v1/validate-sql",
    summary="Check SQL with the guard, without running it",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["sql"],
                        "properties": {"sql": {"type": "string"}},
                    }
                }
            }
        }
    },
    responses={200: {"description": "`{valid, errors, tables, rewrittenSql}`"}},
)
async def validate_sql(request: Request, state: State, principal: CurrentPrincipal) -> Any:
    return await relay(request, state, state.settings.query_api_url, "query", principal)
