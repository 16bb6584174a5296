"""Conversation routes of the query-api (the gateway relays them with the principal), and the
public read-only view of a shared conversation (relayed without one)."""

from __future__ import annotations

from typing import Annotated, Literal, cast

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from atlas_common.errors import NotFound
from atlas_common.internal import principal_from_request
from atlas_common.principal import Principal
from atlas_common.surface import SurfaceName
from atlas_common.wire import WireModel
from atlas_common.wire.conversations import (
    DEFAULT_CONNECTION_ID,
    ConversationDetail,
    ConversationList,
    ConversationOut,
    MessageOut,
    SharedConversation,
    ShareLink,
    ShareRequest,
    StarBody,
    StarOut,
    checked_conversation_id,
)
from atlas_query.api.deps import ConversationsDep, SharingDep
from atlas_query.conversations.models import Conversation, Message

router = APIRouter()
PrincipalDep = Annotated[Principal, Depends(principal_from_request)]
ConversationId = Annotated[str, Depends(checked_conversation_id)]


class ResolveBody(BaseModel):
    conversation_id: str | None = Field(None, alias="conversationId", max_length=200)
    chat_id: str | None = Field(None, alias="chatId", max_length=200)


class ResolveOut(WireModel):
    conversation_id: str


@router.get("/api/v1/conversations", response_model=ConversationList)
async def list_conversations(
    service: ConversationsDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    starred: bool | None = None,
) -> ConversationList:
    items, total = await service.page(principal, limit=limit, offset=offset, starred=starred)
    return ConversationList(conversations=[_out(c) for c in items], total=total)


@router.get("/api/v1/conversations/{conversation_id}", response_model=ConversationDetail)
async def get_conversation(
    conversation_id: ConversationId, service: ConversationsDep, principal: PrincipalDep
) -> ConversationDetail:
    conversation, messages = await service.get(conversation_id, principal)
    return ConversationDetail(
        **_out(conversation).model_dump(), messages=[_message(m) for m in messages]
    )


@router.delete("/api/v1/conversations/{conversation_id}", status_code=204)
async def delete_conversation(
    conversation_id: ConversationId, service: ConversationsDep, principal: PrincipalDep
) -> Response:
    await service.delete(conversation_id, principal)
    return Response(status_code=204)


@router.patch("/api/v1/conversations/{conversation_id}/star", response_model=StarOut)
async def star_conversation(
    conversation_id: ConversationId,
    body: StarBody,
    service: ConversationsDep,
    principal: PrincipalDep,
) -> StarOut:
    await service.star(conversation_id, principal, body.starred)
    return StarOut(id=conversation_id, starred=body.starred)


@router.post("/api/v1/conversations/{conversation_id}/share", response_model=ShareLink)
async def share_conversation(
    conversation_id: ConversationId,
    request: Request,
    sharing: SharingDep,
    principal: PrincipalDep,
    body: Annotated[ShareRequest | None, Body()] = None,
) -> ShareLink:
    # The gateway forwards the caller's Host, so the link names the public address.
    base_url = str(request.base_url)
    return await sharing.share(conversation_id, principal, body or ShareRequest(), base_url)


@router.delete("/api/v1/conversations/{conversation_id}/share", status_code=204)
async def unshare_conversation(
    conversation_id: ConversationId, sharing: SharingDep, principal: PrincipalDep
) -> Response:
    await sharing.unshare(conversation_id, principal)
    return Response(status_code=204)


@router.get("/api/public/conversations/{token}", response_model=SharedConversation)
async def shared_conversation(token: str, sharing: SharingDep) -> SharedConversation:
    """No principal: the token is the credential (the internal token still guards the hop)."""
    return await sharing.shared(token)


@router.post("/internal/v1/conversations/resolve", response_model=ResolveOut)
async def resolve(
    body: ResolveBody, service: ConversationsDep, principal: PrincipalDep
) -> ResolveOut:
    resolved = await service.resolve(body.conversation_id, body.chat_id, principal)
    return ResolveOut(conversation_id=resolved)


@router.get("/internal/v1/conversations/{conversation_id}/owned", status_code=204)
async def owned(
    conversation_id: ConversationId, service: ConversationsDep, principal: PrincipalDep
) -> Response:
    """204 when the conversation exists and is the caller's, else 404 (the gateway's
    run-status tells "not yours / no such conversation" from "yours, no run")."""
    if not await service.owns(conversation_id, principal):
        raise NotFound("No such conversation")
    return Response(status_code=204)


def _out(c: Conversation) -> ConversationOut:
    return ConversationOut(
        id=c.id,
        user_id=c.user_id,
        title=c.title,
        surface=cast(SurfaceName, c.surface),
        connection_id=DEFAULT_CONNECTION_ID,
        connection_group_id=None,
        starred=c.starred,
        created_at=c.created_at.isoformat(),
        updated_at=c.updated_at.isoformat(),
    )


def _message(m: Message) -> MessageOut:
    return MessageOut(
        id=m.id,
        conversation_id=m.conversation_id,
        role=cast(Literal["user", "assistant"], m.role),
        content=m.content,
        created_at=m.created_at.isoformat(),
        sql=m.sql,
    )
