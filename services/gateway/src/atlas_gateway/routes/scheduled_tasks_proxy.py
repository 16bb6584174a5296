"""Routes served by the scheduler: ``/api/v1/scheduled-tasks`` (upstream's paths and shapes).

Every route is relayed with the verified principal to the scheduler's internal app
(``ATLAS_SCHEDULER_URL``), which decides what the caller sees: a task's owner their own, an
admin the workspace's. Any principal may schedule their own questions (as they may ask them).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from atlas_common.wire.errors import error_responses
from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.openapi import json_body
from atlas_gateway.proxy import relay

router = APIRouter(tags=["Scheduled tasks"])
BASE = "/api/v1/scheduled-tasks"
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}

_RECIPIENT = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "enum": ["email", "slack", "webhook"]},
        "address": {"type": "string", "description": "email: the address"},
        "channel": {"type": "string", "description": "slack: the incoming-webhook URL"},
        "teamId": {"type": "string"},
        "url": {"type": "string", "description": "webhook: the http(s) URL"},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "question": {"type": "string", "minLength": 1, "maxLength": 4000},
    "cronExpression": {
        "type": "string", "minLength": 1, "maxLength": 200,
        "description": "5 fields, or 6 with seconds first (`*/30 * * * * *`)",
    },
    "timezone": {"type": "string", "minLength": 1, "maxLength": 64, "default": "UTC"},
    "deliveryChannel": {"type": "string", "enum": ["email", "slack", "webhook"]},
    "recipients": {"type": "array", "maxItems": 50, "items": _RECIPIENT},
    "enabled": {"type": "boolean"},
}


def _body(required: list[str]) -> dict[str, Any]:
    return json_body({"type": "object", "required": required, "properties": _FIELDS})


async def _to_scheduler(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay(request, state, state.settings.scheduler_url, "scheduler", principal)


@router.get(BASE, summary="Your scheduled tasks (an admin: the workspace's)",
            responses={200: {"description": "`{tasks: [ScheduledTask], total}`"},
                       **error_responses(422, 503)})
async def list_tasks(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await _to_scheduler(request, state, principal)


@router.post(BASE, summary="Schedule a question", status_code=201,
             openapi_extra=_body(["name", "question", "cronExpression"]),
             responses={201: {"description": "The ScheduledTask"},
                        **error_responses(400, 403, 422, 503)})
async def create_task(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await _to_scheduler(request, state, principal)


@router.get(BASE + "/{id}", summary="A scheduled task and its recent runs",
            responses={200: {"description": "ScheduledTask + `recentRuns`"},
                       **error_responses(404, 503)})
async def get_task(id: str, request: Request, state: State,
                   principal: CurrentPrincipal) -> Response:
    return await _to_scheduler(request, state, principal)


@router.put(BASE + "/{id}", summary="Change a scheduled task (the fields given)",
            openapi_extra=_body([]),
            responses={200: {"description": "The ScheduledTask"},
                       **error_responses(400, 403, 404, 422, 503)})
async def update_task(id: str, request: Request, state: State,
                      principal: CurrentPrincipal) -> Response:
    return await _to_scheduler(request, state, principal)


@router.delete(BASE + "/{id}", summary="Delete a scheduled task and its runs",
               responses={200: {"description": "`{success: true}`"},
                          **error_responses(404, 503)})
async def delete_task(id: str, request: Request, state: State,
                      principal: CurrentPrincipal) -> Response:
    return await _to_scheduler(request, state, principal)


@router.post(BASE + "/{id}/run", summary="Run a scheduled task now",
             responses={200: {"description": "`{taskId, runId, message}`"},
                        **error_responses(403, 404, 409, 503)})
async def trigger_task(id: str, request: Request, state: State,
                       principal: CurrentPrincipal) -> Response:
    return await _to_scheduler(request, state, principal)


@router.get(BASE + "/{id}/runs", summary="A scheduled task's runs, newest first",
            responses={200: {"description": "`{runs: [ScheduledTaskRun]}`"},
                       **error_responses(404, 422, 503)})
async def list_runs(id: str, request: Request, state: State,
                    principal: CurrentPrincipal) -> Response:
    return await _to_scheduler(request, state, principal)
