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

from atlas_common.principal import AuthMode, Principal, Role
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


#: How a question ended. ``answered``: SQL ran and an answer was written; ``clarification``: Atlas
#: asked which meaning was intended; ``not_understood``: it could not answer and said so;
#: ``error``: it failed (``error_code`` says why); ``cancelled``: stopped by the caller.
Outcome = Literal["answered", "clarification", "not_understood", "error", "cancelled"]


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


class QueryAnswered(BusMessage):
    """A question came to an end, answered or not: the audit trail's record of it.

    Published by the query worker once per request (never per attempt), after its stream ended;
    consumed by the audit service. ``sql`` holds each statement as it ran, after row-level
    security and the automatic LIMIT, so an auditor sees what touched the data.
    """

    type: Literal["query.answered"] = "query.answered"
    request_id: str
    user_id: str
    workspace_id: str
    role: Role
    auth_mode: AuthMode
    credential_id: str | None = None
    surface: Surface = "api"
    conversation_id: str | None = None
    question: str
    sql: tuple[str, ...] = ()
    #: The tables the statements read, as the guard resolved them (lower case, unqualified).
    tables: tuple[str, ...] = ()
    row_count: int | None = None
    duration_ms: int
    outcome: Outcome
    error_code: str | None = None
    error_message: str | None = None
    tokens: int = 0
    #: Which part answered: ``semantic`` (the offline planner) or ``agent`` (the LLM).
    answered_by: str | None = None
    datasource: str = "default"


class KeyCreated(BusMessage):
    type: Literal["key.created"] = "key.created"
    key_id: str
    workspace_id: str
    name: str
    role: Role
    #: Who did it (the user id of the principal), when a person did.
    actor_id: str | None = None


class KeyRevoked(BusMessage):
    type: Literal["key.revoked"] = "key.revoked"
    key_id: str
    workspace_id: str
    actor_id: str | None = None


class SessionRevoked(BusMessage):
    type: Literal["session.revoked"] = "session.revoked"
    session_id: str
    user_id: str


class UserCreated(BusMessage):
    """A user joined a workspace: signed up, or was added by an admin."""

    type: Literal["user.created"] = "user.created"
    user_id: str
    workspace_id: str
    role: Role
    actor_id: str | None = None


class UserRoleChanged(BusMessage):
    type: Literal["user.role_changed"] = "user.role_changed"
    user_id: str
    role: Role
    workspace_id: str | None = None  # None: published before issue 25
    actor_id: str | None = None


class UserClaimsChanged(BusMessage):
    """An admin replaced a user's RLS claims (issue 25; before it, ``user.role_changed`` with the
    unchanged role). ``claims`` is the new set, whole: row filters, not secrets, so the audit
    trail shows what the user may see now."""

    type: Literal["user.claims_changed"] = "user.claims_changed"
    user_id: str
    workspace_id: str
    claims: dict[str, Any]
    actor_id: str | None = None


class UserDeactivated(BusMessage):
    type: Literal["user.deactivated"] = "user.deactivated"
    user_id: str
    workspace_id: str | None = None  # None: published before issue 25
    actor_id: str | None = None


class SubscriptionChanged(BusMessage):
    type: Literal["subscription.changed"] = "subscription.changed"
    customer_id: str
    version: int
    #: The plan the customer (workspace) is on now; None when the subscription was removed.
    plan: str | None = None


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
    | QueryAnswered
    | KeyCreated
    | KeyRevoked
    | SessionRevoked
    | UserCreated
    | UserRoleChanged
    | UserClaimsChanged
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
