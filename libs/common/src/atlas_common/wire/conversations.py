"""Conversation bodies: the list, one conversation with its messages, star, and sharing.

Field names follow upstream ``@useatlas/types`` (``Conversation``, ``Message``, ``ShareLink``).
Messages hold text plus the SQL the answer ran; the public (shared) view drops the SQL and
every id, so a link shows the conversation as read and nothing else.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field

from atlas_common.errors import InvalidRequest
from atlas_common.surface import SurfaceName
from atlas_common.wire import WireModel

#: A conversation id: our uuid hex, or an AI SDK chat id. Anything else is malformed.
CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,200}$"
_ID = re.compile(CONVERSATION_ID_PATTERN)
#: The datasource id of a conversation: one datasource per deployment today.
DEFAULT_CONNECTION_ID = "default"

ShareMode = Literal["public", "org"]
ShareExpiry = Literal["1h", "24h", "7d", "30d", "never"]
#: Seconds of each expiry choice (``never`` -> no expiry), as upstream ``SHARE_EXPIRY_OPTIONS``.
SHARE_EXPIRY_SECONDS: dict[str, int | None] = {
    "1h": 3600,
    "24h": 86_400,
    "7d": 604_800,
    "30d": 2_592_000,
    "never": None,
}


class ConversationOut(WireModel):
    id: str
    user_id: str | None
    title: str | None
    surface: SurfaceName
    connection_id: str | None = Field(description="The datasource SQL runs against.")
    connection_group_id: str | None = None
    starred: bool
    created_at: str
    updated_at: str


class MessageOut(WireModel):
    id: str
    conversation_id: str
    role: Literal["user", "assistant"]
    content: str
    created_at: str
    sql: list[str] = Field(default_factory=list, description="SQL the answer ran (assistant).")


class ConversationList(WireModel):
    conversations: list[ConversationOut]
    total: int


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


class StarBody(WireModel):
    model_config = ConfigDict(extra="ignore")
    starred: bool


class StarOut(WireModel):
    id: str
    starred: bool


class ShareRequest(WireModel):
    model_config = ConfigDict(extra="ignore")
    expires_in: ShareExpiry | None = Field(None, description="Default: never.")
    # Parsed as upstream's two modes, but only `public` is served (`org` is 400): the document
    # offers what is served.
    share_mode: ShareMode | None = Field(
        None,
        description="Only `public` is served (`org`: 400 `invalid_request`).",
        json_schema_extra={"anyOf": [{"type": "string", "enum": ["public"]}, {"type": "null"}]},
    )


class ShareLink(WireModel):
    token: str
    url: str = Field(description="Absolute URL of the public, read-only view.")
    expires_at: str | None
    share_mode: ShareMode


class SharedMessage(WireModel):
    role: Literal["user", "assistant"]
    content: str
    created_at: str


class SharedConversation(WireModel):
    title: str | None
    surface: SurfaceName
    created_at: str
    share_mode: ShareMode
    messages: list[SharedMessage]


def is_conversation_id(text: str) -> bool:
    return _ID.fullmatch(text) is not None


def checked_conversation_id(conversation_id: str) -> str:
    """The ``{conversation_id}`` of a path (a FastAPI dependency), or 400 ``invalid_request``
    as upstream answers a malformed id."""
    if not _ID.fullmatch(conversation_id):
        raise InvalidRequest("Invalid conversation ID format")
    return conversation_id
