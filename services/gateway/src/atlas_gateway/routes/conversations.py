"""Conversation routes, served by query-api: list, read, delete, star."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.proxy import relay

router = APIRouter(tags=["Conversations"])


async def _relay(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay(request, state, state.settings.query_api_url, "query", principal)


@router.get("/api/v1/conversations", summary="Your conversations, newest first")
async def list_conversations(
    request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await _relay(request, state, principal)


@router.get("/api/v1/conversations/{conversation_id}", summary="A conversation with its messages")
async def get_conversation(
    conversation_id: str, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await _relay(request, state, principal)


@router.delete(
    "/api/v1/conversations/{conversation_id}", summary="Delete a conversation", status_code=204
)
async def delete_conversation(
    conversation_id: str, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await _relay(request, state, principal)


@router.patch("/api/v1/conversations/{conversation_id}/star", summary="Star or unstar")
async def star_conversation(
    conversation_id: str, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    return await _relay(request, state, principal)
