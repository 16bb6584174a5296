"""Upstream Atlas's run routes, as aliases of ours: resume by conversation, the latest run's
status, and stop by run id (the run id is our request id).

Upstream answers 404 where there is nothing to resume or stop, or no such conversation of the
caller for run-status, where ours answer 204 / stop a
settled run quietly; each alias keeps upstream's answer so its SDK reads it as it expects.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response

from atlas_common.errors import NotFound
from atlas_common.wire.conversations import checked_conversation_id
from atlas_common.wire.errors import error_responses
from atlas_common.wire.runs import RunStatusResponse, StopRunResponse
from atlas_gateway.deps import Ask, CurrentPrincipal
from atlas_gateway.routes.ask import stream_response
from atlas_gateway.service.conversations import owns_conversation

router = APIRouter(tags=["Ask"])
ConversationId = Annotated[str, Depends(checked_conversation_id)]
_SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {}},  # each event's data is a JSON frame
        "description": "The AI SDK UI message stream, from `Last-Event-ID` if given.",
    }
}


@router.post(
    "/api/v1/chat/{conversation_id}/resume",
    summary="Resume a conversation's latest run (upstream alias of GET .../stream)",
    response_class=Response,
    responses={**_SSE, **error_responses(400, 401, 404)},
)
async def resume(
    conversation_id: ConversationId,
    ask: Ask,
    principal: CurrentPrincipal,
    last_event_id: str | None = Header(None),
) -> Response:
    found = await ask.resume(conversation_id, principal, last_event_id)
    if found is None:
        raise NotFound("Nothing to resume for this conversation")
    run, after = found
    return stream_response(ask, run, after, conversation_id)


@router.get(
    "/api/v1/chat/{conversation_id}/run-status",
    response_model=RunStatusResponse,
    response_model_exclude_unset=True,
    summary="The status of a conversation's latest run",
    responses=error_responses(400, 401, 404, 503),
)
async def run_status(
    conversation_id: ConversationId, ask: Ask, principal: CurrentPrincipal
) -> RunStatusResponse:
    request_id = await ask.runs.resolve(conversation_id, principal)
    if request_id is None:
        # A run of the caller proves ownership; with none, only query-api knows whether the
        # conversation is the caller's ("none") or not / unknown (404, as upstream).
        if not await owns_conversation(ask.state, conversation_id, principal):
            raise NotFound("No such conversation")
        return RunStatusResponse(status="none")
    status = await ask.runs.status(request_id)
    return RunStatusResponse(status=status, run_id=request_id, parked_reason=None)


@router.post(
    "/api/v1/chat/runs/{run_id}/stop",
    response_model=StopRunResponse,
    summary="Stop a run (upstream alias of POST /api/v1/chat/{requestId}/stop)",
    responses=error_responses(401, 404),
)
async def stop_run(run_id: str, ask: Ask, principal: CurrentPrincipal) -> StopRunResponse:
    await ask.stop(run_id, principal, settled=False)
    return StopRunResponse()
