"""Share links: the owner makes or revokes one; anyone with the token reads the conversation.

Tokens are 256-bit ``secrets.token_urlsafe`` values, shown once, stored as SHA-256 (a database
leak gives no working link). The public view shows the questions and answers only: no ids, no
owner, no SQL, no result rows. Unknown, revoked, expired and malformed tokens are all the same
404, so a probe learns nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from atlas_common.errors import InvalidRequest, NotFound
from atlas_common.principal import Principal
from atlas_common.wire.conversations import (
    SHARE_EXPIRY_SECONDS,
    SharedConversation,
    SharedMessage,
    ShareLink,
    ShareRequest,
)
from atlas_query.conversations.repository import ConversationRepository
from atlas_query.conversations.service import owner_of
from atlas_query.conversations.shares import ShareRepository

PUBLIC_PATH = "/api/public/conversations/"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SharingService:
    def __init__(self, conversations: ConversationRepository, shares: ShareRepository) -> None:
        self.conversations = conversations
        self.shares = shares

    async def share(
        self, conversation_id: str, principal: Principal, request: ShareRequest, base_url: str
    ) -> ShareLink:
        if request.share_mode == "org":
            raise InvalidRequest("Only public share links are supported (shareMode: public)")
        seconds = SHARE_EXPIRY_SECONDS[request.expires_in or "never"]
        expires_at = None if seconds is None else datetime.now(UTC) + timedelta(seconds=seconds)
        token = secrets.token_urlsafe(32)
        owner = owner_of(principal)
        if not await self.shares.put(
            conversation_id, owner, token_hash(token), "public", expires_at
        ):
            raise NotFound("No such conversation")
        return ShareLink(
            token=token,
            url=base_url.rstrip("/") + PUBLIC_PATH + token,
            expires_at=None if expires_at is None else expires_at.isoformat(),
            share_mode="public",
        )

    async def unshare(self, conversation_id: str, principal: Principal) -> None:
        if not await self.conversations.owns(conversation_id, owner_of(principal)):
            raise NotFound("No such conversation")
        await self.shares.remove(conversation_id)

    async def shared(self, token: str) -> SharedConversation:
        share = await self.shares.find(token_hash(token)) if _TOKEN.fullmatch(token) else None
        conversation = None
        if share is not None:
            conversation = await self.conversations.by_id(share.conversation_id)
        if share is None or conversation is None:
            raise NotFound("No such shared conversation")
        messages = await self.conversations.messages(conversation.id)
        return SharedConversation(
            title=conversation.title,
            surface=conversation.surface,
            created_at=conversation.created_at.isoformat(),
            share_mode=share.share_mode,
            messages=[
                SharedMessage(
                    role=m.role,
                    content=m.content,
                    created_at=m.created_at.isoformat(),
                )
                for m in messages
            ],
        )
