"""Conversation routes, served by query-api: list, read, delete, star, share; and the public,
unauthenticated view of a shared conversation. The response models document the wire (the
TypeScript SDK's types come from them); the bodies are query-api's, relayed as they are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from atlas_common.wire.conversations import (
    ConversationDetail,
    ConversationList,
    SharedConversation,
    ShareLink,
    ShareRequest,
    StarBody,
    StarOut,
    checked_conversation_id,
)
from atlas_common.wire.errors import error_responses
from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.proxy import relay_to_query_api

router = APIRouter(tags=["Conversations"])
_OWNED = error_responses(400, 401, 404)
# Checked before any relay: a malformed id (an encoded "/", "..", a control character) is a 400
# here and never a path query-api would route differently.
ConversationId = Annotated[str, Depends(checked_conversation_id)]


async def _relay(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay_to_query_api(request, state, principal)


@router.get(
    "/api/v1/conversations",
    response_model=ConversationList,
    summary="Your conversations, newest first",
    responses=error_responses(401, 422),
)
async def list_conversations(
    request: Request,
    state: State,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    starred: bool | None = None,
) -> Response:
    return await _relay(request, state, principal)


@router.get(
    "/api/v1/conversations/{conversation_id}",
    response_model=ConversationDetail,
    summary="A conversation with its messages",
    responses=_OWNED,
)
async def get_conversation(
    conversation_id: ConversationId, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await _relay(request, state, principal)


@router.delete(
    "/api/v1/conversations/{conversation_id}",
    summary="Delete a conversation",
    status_code=204,
    response_class=Response,
    responses=_OWNED,
)
async def delete_conversation(
    conversation_id: ConversationId, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await _relay(request, state, principal)


@router.patch(
    "/api/v1/conversations/{conversation_id}/star",
    response_model=StarOut,
    summary="Star or unstar",
    responses=_OWNED,
)
async def star_conversation(
    conversation_id: ConversationId,
    body: StarBody,
    request: Request,
    state: State,
    principal: CurrentPrincipal,
) -> Response:
    return await _relay(request, state, principal)


@router.post(
    "/api/v1/conversations/{conversation_id}/share",
    response_model=ShareLink,
    summary="Make a public, read-only link (replaces the previous one)",
    responses=_OWNED,
)
async def share_conversation(
    conversation_id: ConversationId,
    request: Request,
    state: State,
    principal: CurrentPrincipal,
    body: ShareRequest | None = None,
) -> Response:
    return await _relay(request, state, principal)


@router.delete(
    "/api/v1/conversations/{conversation_id}/share",
    summary="Revoke the conversation's link",
    status_code=204,
    response_class=Response,
    responses=_OWNED,
)
async def unshare_conversation(
    conversation_id: ConversationId, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await _relay(request, state, principal)


@router.get(
    "/api/public/conversations/{token}",
    response_model=SharedConversation,
    summary="A shared conversation, read-only; no credential (the token is one)",
    responses=error_responses(404, 429),
)
async def shared_conversation(token: str, request: Request, state: State) -> Response:
    client = request.client.host if request.client is not None else "unknown"
    await state.limiter.check(f"public:ip:{client}")
    return await relay_to_query_api(request, state)
