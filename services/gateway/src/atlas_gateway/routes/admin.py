"""The admin API (issue 25), every route the workspace admins' (the role table):

- ``/api/v1/admin/audit``, ``/audit/stats``, ``/audit/export``: relayed path-preserving to the
  audit service, which scopes every read to the caller's workspace; the CSV export streams.
- ``/api/v1/admin/connections`` and its test: relayed to query-api (it owns the datasource).
- ``/api/v1/admin/overview`` and ``/api/v1/admin/plan``: composed here
  (:mod:`atlas_gateway.service.admin_overview`).
- ``/api/v1/admin/plugins``: Atlas has no plugins yet; the routes exist so upstream's clients
  get an answer (an empty list, 404 for a plugin's health).

The semantic layer's admin routes are in :mod:`atlas_gateway.routes.semantic`.
"""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request, Response

from atlas_common.errors import NotFound
from atlas_common.messages import Outcome
from atlas_common.surface import SURFACES
from atlas_common.wire.admin import (
    AdminOverview,
    ConnectionsResponse,
    ConnectionTestResult,
    PlanResponse,
    PluginsResponse,
)
from atlas_common.wire.audit import AuditLogResponse, AuditStats
from atlas_common.wire.errors import error_responses
from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.openapi import query_parameters
from atlas_gateway.proxy import relay_to_audit, relay_to_query_api
from atlas_gateway.service.admin_overview import Overview, plan_body

router = APIRouter(prefix="/api/v1/admin", tags=["Admin"])
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
# As the audit service checks them (services/audit routes.py, filters.py); "" is no filter.
_TEXT = {"type": "string", "maxLength": 200}
_NAME = {**_TEXT, "pattern": "^([A-Za-z0-9_.:@-]{1,200})?$"}
_WHEN = {"type": "string", "maxLength": 40, "example": "2026-01-31",
         "description": "ISO 8601 date or date-time, UTC unless it names a zone (a `to` date "
         "is inclusive); `from` must be before `to`"}
_PERIOD = {"from_": _WHEN, "to": _WHEN}
_FILTERS: dict[str, dict[str, Any]] = {
    "user": {**_NAME, "description": "A user id"},
    "surface": {"type": "string", "enum": list(SURFACES)},
    "outcome": {"type": "string", "enum": list(get_args(Outcome))},
    "success": {"type": "boolean"},
    "kind": {"type": "string", "enum": ["question", "change"]},
    "action": {**_TEXT, "pattern": r"^([a-z_]+(\.[a-z_]+)*)?$",
               "description": "`query.answered`, `key.revoked`, ..."},
    "table": {**_NAME, "description": "An entity or table name"},
    **_PERIOD,
    "q": {**_TEXT, "description": "Text in the question or the SQL (any case)"},
}
_PAGE: dict[str, dict[str, Any]] = {
    "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    "offset": {"type": "integer", "minimum": 0, "maximum": 1_000_000, "default": 0},
    "cursor": {"type": "string", "maxLength": 500,
               "description": "`nextCursor` of the page before (`offset` is then ignored); "
               "any other value is 422"},
}
_CSV: dict[int | str, dict[str, Any]] = {200: {
    "description": "The rows as CSV (at most 100,000: `x-atlas-truncated: true` when cut), "
    "streamed",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}}


@router.get("/audit", summary="The audit log of your workspace, newest first",
            response_model=AuditLogResponse, responses=error_responses(400, 422),
            openapi_extra={"parameters": query_parameters(**_PAGE, **_FILTERS)})
async def audit_log(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay_to_audit(request, state, principal)


@router.get("/audit/stats", summary="Questions of a period (default: the last 30 days)",
            response_model=AuditStats, responses=error_responses(400, 422),
            openapi_extra={"parameters": query_parameters(**_PERIOD)})
async def audit_stats(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay_to_audit(request, state, principal)


@router.get("/audit/export", summary="The audit log as a CSV file (same filters as the list)",
            response_class=Response, responses={**_CSV, **error_responses(400, 422)},
            openapi_extra={"parameters": query_parameters(**_FILTERS)})
async def audit_export(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay_to_audit(request, state, principal, stream=True)


@router.get("/overview", summary="Your workspace at a glance (a part that cannot be read is "
            "null, and `partial` true)", response_model=AdminOverview)
async def overview(state: State, principal: CurrentPrincipal) -> AdminOverview:
    return await Overview(state, principal).compose()


@router.get("/plan", summary="Your workspace's plan: features, limits and usage",
            response_model=PlanResponse)
async def plan(state: State, principal: CurrentPrincipal) -> PlanResponse:
    return await plan_body(state, principal)


@router.get("/connections", summary="The datasource (`default`), without credentials",
            response_model=ConnectionsResponse)
async def connections(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay_to_query_api(request, state, principal)


@router.post("/connections/{id}/test",
             summary="Test a connection: answers, how fast, refuses writes (`readOnly`)",
             response_model=ConnectionTestResult, responses=error_responses(404),
             openapi_extra={"parameters": [_ID]})
async def test_connection(request: Request, state: State,
                          principal: CurrentPrincipal) -> Response:
    return await relay_to_query_api(request, state, principal)


@router.get("/plugins", summary="Plugins (none yet: always empty)",
            response_model=PluginsResponse)
async def plugins(principal: CurrentPrincipal) -> PluginsResponse:
    return PluginsResponse()


@router.post("/plugins/{id}/health", summary="A plugin's health (no plugins yet: always 404)",
             responses=error_responses(404))
async def plugin_health(id: str, principal: CurrentPrincipal) -> Response:
    raise NotFound(f"No plugin {id!r}: Atlas has no plugins yet")
