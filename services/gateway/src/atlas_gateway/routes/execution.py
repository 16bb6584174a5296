"""Running SQL (analyst and up) and a metric (viewer and up), relayed to query-api, which runs
them through the same guard and executor as asking (ADR 0009).

Each costs what a question costs: ``query`` must be in the plan and one ``queries`` unit is
consumed, idempotent on the request id, before the relay; it is given back when the run
fails on Atlas's side (a caller's error, such as a refused statement, is not refunded).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from atlas_common.entitlements import is_refundable
from atlas_common.errors import request_id_of
from atlas_common.wire.errors import error_responses
from atlas_common.wire.semantic import (
    ExecuteSqlRequest,
    ExecuteSqlResponse,
    RunMetricRequest,
    RunMetricResponse,
)
from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.proxy import relay_to_query_api
from atlas_gateway.service.charge import charge_question

router = APIRouter(tags=["Data"])
ERRORS = error_responses(400, 401, 403, 404, 422, 429)


@router.post(
    "/api/v1/execute-sql",
    response_model=ExecuteSqlResponse,
    summary="Run one SELECT through the SQL guard (RLS, row limit, timeout)",
    responses=ERRORS,
)
async def execute_sql(
    body: ExecuteSqlRequest, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await _spend_and_relay(request, state, principal)


@router.post(
    "/api/v1/metrics/{metric_id}/run",
    response_model=RunMetricResponse,
    summary="Run a metric of the semantic layer, optionally by dimensions and filters",
    responses=ERRORS,
)
async def run_metric(
    metric_id: str,
    body: RunMetricRequest,
    request: Request,
    state: State,
    principal: CurrentPrincipal,
) -> Response:
    return await _spend_and_relay(request, state, principal)


async def _spend_and_relay(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    request_id = request_id_of(request)
    await charge_question(state.entitlements, principal.workspace_id, request_id)
    response = await relay_to_query_api(request, state, principal)
    if response.status_code >= 400 and is_refundable(_code(response.body)):
        state.entitlements.refund_soon(request_id)
    return response


def _code(body: bytes | memoryview) -> str:
    try:
        code = json.loads(bytes(body)).get("error")
    except (ValueError, AttributeError):
        return "internal_error"
    return code if isinstance(code, str) else "internal_error"
