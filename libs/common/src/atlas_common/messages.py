"""Bus messages: every message on RabbitMQ is one of these models.

Each has a literal ``type`` (its routing key), a ``schema_version``, an ``event_id`` that
consumers use for idempotency and ``occurred_at``. :func:`parse_message` is the one place that
turns bytes from the bus into a model.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from atlas_common.principal import Principal, Role
from atlas_common.surface import Surface


def _new_id() -> str:
    return uuid.uuid4().hex


def _now() -> datetime:
    return datetime.now(UTC)


class BusMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: int = 1
    event_id: str = Field(default_factory=_new_id)
    occurred_at: datetime = Field(default_factory=_now)


class HistoryTurn(BaseModel):
    """One earlier turn of the conversation, given as context to follow-up questions."""

    model_config = ConfigDict(frozen=True)

    role: Literal["user", "assistant"]
    content: str


class QueryRequested(BusMessage):
    """A question to answer. Published by the gateway, consumed by query workers."""

    type: Literal["query.requested"] = "query.requested"
    request_id: str
    question: str
    principal: Principal
    conversation_id: str | None = None
    chat_id: str | None = None
    history: tuple[HistoryTurn, ...] = ()
    surface: Surface = "api"  # a job queued before issue 15 may say "chat": read as "web"
    deadline: float = Field(description="Unix time after which the answer is useless.")


class KeyRevoked(BusMessage):
    type: Literal["key.revoked"] = "key.revoked"
    key_id: str
    workspace_id: str


class SessionRevoked(BusMessage):
    type: Literal["session.revoked"] = "session.revoked"
    session_id: str
    user_id: str


class UserRoleChanged(BusMessage):
    type: Literal["user.role_changed"] = "user.role_changed"
    user_id: str
    role: Role


class UserDeactivated(BusMessage):
    type: Literal["user.deactivated"] = "user.deactivated"
    user_id: str


class SubscriptionChanged(BusMessage):
    type: Literal["subscription.changed"] = "subscription.changed"
    customer_id: str
    version: int


class UsageRecorded(BusMessage):
    type: Literal["usage.recorded"] = "usage.recorded"
    customer_id: str
    feature: str
    amount: int
    idempotency_key: str
    request_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


Message = Annotated[
    QueryRequested
    | KeyRevoked
    | SessionRevoked
    | UserRoleChanged
    | UserDeactivated
    | SubscriptionChanged
    | UsageRecorded,
    Field(discriminator="type"),
]

_MESSAGE_ADAPTER: TypeAdapter[Message] = TypeAdapter(Message)

#: Each message class by its ``type`` (which is also its routing key).
MESSAGE_TYPES: dict[str, type[BusMessage]] = {
    cls.model_fields["type"].default: cls for cls in get_args(get_args(Message)[0])
}


def parse_message(raw: bytes | str) -> Message:
    """Parse any bus message; raises ``pydantic.ValidationError`` on a malformed one."""
    return _MESSAGE_ADAPTER.validate_json(raw)
