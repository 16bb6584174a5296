"""Conversations as the API and the worker use them. Another user's conversation is "not found"."""

from __future__ import annotations

import logging
import uuid

import asyncpg

from atlas_common.errors import NotFound
from atlas_common.messages import HistoryTurn
from atlas_common.principal import Principal
from atlas_query.conversations.models import Conversation, Message, Owner, Turn
from atlas_query.conversations.repository import ConversationRepository

log = logging.getLogger(__name__)
#: Earlier turns given to a follow-up question as context.
HISTORY_TURNS = 12


def owner_of(principal: Principal) -> Owner:
    return Owner(principal.workspace_id, principal.user_id)


class ConversationService:
    def __init__(self, repository: ConversationRepository) -> None:
        self.repository = repository

    async def resolve(
        self, conversation_id: str | None, chat_id: str | None, principal: Principal
    ) -> str:
        """The conversation an ask joins.

        A given conversation id only when the caller owns it; else the AI SDK chat id when the
        caller owns it or nobody does yet (so a chat's follow-ups stay together); else a new id.
        """
        owner = owner_of(principal)
        if conversation_id and await self.repository.owns(conversation_id, owner):
            return conversation_id
        if chat_id and await self.repository.owner_of(chat_id) in (None, owner):
            return chat_id
        return uuid.uuid4().hex

    async def owns(self, conversation_id: str, principal: Principal) -> bool:
        return await self.repository.owns(conversation_id, owner_of(principal))

    async def page(
        self, principal: Principal, *, limit: int, offset: int, starred: bool | None
    ) -> tuple[list[Conversation], int]:
        return await self.repository.page(
            owner_of(principal), limit=limit, offset=offset, starred=starred
        )

    async def get(
        self, conversation_id: str, principal: Principal
    ) -> tuple[Conversation, list[Message]]:
        conversation = await self.repository.get(conversation_id, owner_of(principal))
        if conversation is None:
            raise NotFound("No such conversation")
        return conversation, await self.repository.messages(conversation_id)

    async def delete(self, conversation_id: str, principal: Principal) -> None:
        if not await self.repository.delete(conversation_id, owner_of(principal)):
            raise NotFound("No such conversation")

    async def star(self, conversation_id: str, principal: Principal, starred: bool) -> None:
        if not await self.repository.star(conversation_id, owner_of(principal), starred):
            raise NotFound("No such conversation")

    async def history(self, conversation_id: str, principal: Principal) -> tuple[HistoryTurn, ...]:
        messages = await self.repository.history(
            conversation_id, owner_of(principal), HISTORY_TURNS
        )
        return tuple(HistoryTurn(role=m.role, content=_context(m)) for m in messages if m.content)

    async def record(
        self, conversation_id: str, principal: Principal, surface: str, turn: Turn
    ) -> None:
        """Store the turns; a failure is logged, never allowed to take the answer down."""
        try:
            stored = await self.repository.append(
                conversation_id, owner_of(principal), surface, turn
            )
        except (asyncpg.PostgresError, OSError):
            log.exception(
                "could not store the conversation turn", extra={"request_id": turn.request_id}
            )
            return
        if not stored:
            log.warning(
                "conversation belongs to someone else: turn not stored",
                extra={"request_id": turn.request_id},
            )


def _context(message: Message) -> str:
    """An assistant turn as context: its text plus the SQL it ran (the planner and the agent
    refine the previous question from it)."""
    if message.role != "assistant" or not message.sql:
        return message.content
    return f"{message.content}\nSQL: {message.sql[-1]}"
