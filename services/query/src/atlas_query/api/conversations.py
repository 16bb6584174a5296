"""Conversation routes of the query-api (the gateway relays them with the principal)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from atlas_common.internal import principal_from_request
from atlas_common.principal import Principal
from atlas_query.api.deps import internal_token
from atlas_query.conversations.models import Conversation, Message
from atlas_query.conversations.service import ConversationService

router = APIRouter(dependencies=[Depends(internal_token)])
PrincipalDep = Annotated[Principal, Depends(principal_from_request)]


def get_conversations(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.conversations
    return service


ConversationsDep = Annotated[ConversationService, Depends(get_conversations)]


class Camel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ConversationOut(Camel):
    id: str
    title: str
    surface: str
    starred: bool
    created_at: str
    updated_at: str


class MessageOut(Camel):
    id: str
    role: str
    content: str
    created_at: str
    sql: list[str] = Field(default_factory=list)


class ConversationList(Camel):
    conversations: list[ConversationOut]
    total: int


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class StarBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    starred: bool


class StarOut(Camel):
    id: str
    starred: bool


class ResolveBody(BaseModel):
    conversation_id: str | None = Field(None, alias="conversationId", max_length=200)
    chat_id: str | None = Field(None, alias="chatId", max_length=200)


class ResolveOut(Camel):
    conversation_id: str


@router.get("/api/v1/conversations", response_model=ConversationList, response_model_by_alias=True)
async def list_conversations(
    service: ConversationsDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    starred: bool | None = None,
) -> ConversationList:
    items, total = await service.page(principal, limit=limit, offset=offset, starred=starred)
    return ConversationList(conversations=[_out(c) for c in items], total=total)


@router.get(
    "/api/v1/conversations/{conversation_id}",
    response_model=ConversationDetail,
    response_model_by_alias=True,
)
async def get_conversation(
    conversation_id: str, service: ConversationsDep, principal: PrincipalDep
) -> ConversationDetail:
    conversation, messages = await service.get(conversation_id, principal)
    return ConversationDetail(
        **_out(conversation).model_dump(), messages=[_message(m) for m in messages]
    )


@router.delete("/api/v1/conversations/{conversation_id}", status_code=204)
async def delete_conversation(
    conversation_id: str, service: ConversationsDep, principal: PrincipalDep
) -> Response:
    await service.delete(conversation_id, principal)
    return Response(status_code=204)


@router.patch(
    "/api/v1/conversations/{conversation_id}/star",
    response_model=StarOut,
    response_model_by_alias=True,
)
async def star_conversation(
    conversation_id: str, body: StarBody, service: ConversationsDep, principal: PrincipalDep
) -> StarOut:
    await service.star(conversation_id, principal, body.starred)
    return StarOut(id=conversation_id, starred=body.starred)


@router.post(
    "/internal/v1/conversations/resolve", response_model=ResolveOut, response_model_by_alias=True
)
async def resolve(
    body: ResolveBody, service: ConversationsDep, principal: PrincipalDep
) -> ResolveOut:
    resolved = await service.resolve(body.conversation_id, body.chat_id, principal)
    return ResolveOut(conversation_id=resolved)


def _out(c: Conversation) -> ConversationOut:
    return ConversationOut(
        id=c.id,
        title=c.title,
        surface=c.surface,
        starred=c.starred,
        created_at=c.created_at.isoformat(),
        updated_at=c.updated_at.isoformat(),
    )


def _message(m: Message) -> MessageOut:
    return MessageOut(
        id=m.id, role=m.role, content=m.content, created_at=m.created_at.isoformat(), sql=m.sql
    )
