"""Bus messages -> audit rows: what each audited event records, in the table's columns."""

from __future__ import annotations

import json
from typing import Any

from atlas_common.messages import (
    BusMessage,
    KeyCreated,
    KeyRevoked,
    QueryAnswered,
    SubscriptionChanged,
    UserClaimsChanged,
    UserCreated,
    UserDeactivated,
    UserRoleChanged,
)

#: The columns a batch writes, in the order of :func:`row_of`'s tuple.
COLUMNS: tuple[str, ...] = (
    "event_id", "occurred_at", "workspace_id", "kind", "action", "user_id", "target_id", "role",
    "auth_mode", "credential_id", "surface", "conversation_id", "request_id", "question", "sql",
    "tables", "row_count", "duration_ms", "outcome", "error_code", "error_message", "tokens",
    "answered_by", "datasource", "details")
SQL_SEPARATOR = ";\n"

Row = tuple[Any, ...]


def _row(message: BusMessage, **fields: Any) -> Row:
    values: dict[str, Any] = {
        "event_id": message.event_id, "occurred_at": message.occurred_at,
        "action": getattr(message, "type"), "sql": "", "tables": [],  # noqa: B009
        "details": {}, **fields}
    values["details"] = json.dumps({k: _text_safe(v) for k, v in values["details"].items()})
    return tuple(_text_safe(values.get(column)) for column in COLUMNS)


def _text_safe(value: Any) -> Any:
    """PostgreSQL text holds no NUL character (a question may, pasted): dropped."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_text_safe(v) for v in value]
    if isinstance(value, dict):  # claims: nested JSON
        return {_text_safe(k): _text_safe(v) for k, v in value.items()}
    return value


def _question(m: QueryAnswered) -> Row:
    return _row(
        m, workspace_id=m.workspace_id, kind="question", user_id=m.user_id, role=m.role,
        auth_mode=m.auth_mode, credential_id=m.credential_id, surface=m.surface,
        conversation_id=m.conversation_id, request_id=m.request_id, question=m.question,
        sql=SQL_SEPARATOR.join(m.sql), tables=[t.lower() for t in m.tables],
        row_count=m.row_count, duration_ms=m.duration_ms, outcome=m.outcome,
        error_code=m.error_code, error_message=m.error_message, tokens=m.tokens,
        answered_by=m.answered_by, datasource=m.datasource)


def _change(m: BusMessage) -> Row | None:
    if isinstance(m, KeyCreated):
        return _row(m, workspace_id=m.workspace_id, kind="change", user_id=m.actor_id,
                    target_id=m.key_id, role=m.role, details={"name": m.name})
    if isinstance(m, KeyRevoked):
        return _row(m, workspace_id=m.workspace_id, kind="change", user_id=m.actor_id,
                    target_id=m.key_id)
    if isinstance(m, UserCreated | UserRoleChanged):
        if m.workspace_id is None:
            return None
        return _row(m, workspace_id=m.workspace_id, kind="change", user_id=m.actor_id,
                    target_id=m.user_id, role=m.role)
    if isinstance(m, UserClaimsChanged):
        return _row(m, workspace_id=m.workspace_id, kind="change", user_id=m.actor_id,
                    target_id=m.user_id, details={"claims": m.claims})
    if isinstance(m, UserDeactivated):
        if m.workspace_id is None:
            return None
        return _row(m, workspace_id=m.workspace_id, kind="change", user_id=m.actor_id,
                    target_id=m.user_id)
    if isinstance(m, SubscriptionChanged):
        return _row(m, workspace_id=m.customer_id, kind="change", target_id=m.customer_id,
                    details={"plan": m.plan, "version": m.version})
    return None


def row_of(message: BusMessage) -> Row | None:
    """The row an audited event writes; None for one the trail does not keep (a change
    published before issue 25 names no workspace, so no one could be shown it)."""
    if isinstance(message, QueryAnswered):
        return _question(message)
    return _change(message)
