"""Typed results of the API: frozen dataclasses, parsed from Atlas's camelCase JSON.

Each top-level result keeps the JSON it was parsed from in ``raw`` (``to_dict()`` returns it),
so a field Atlas adds later is never lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "ApiKey",
    "ApiKeyList",
    "Clarification",
    "Column",
    "Conversation",
    "ConversationDetail",
    "ConversationList",
    "CreatedApiKey",
    "DataSet",
    "Health",
    "Message",
    "QueryResult",
    "SessionInfo",
    "SignInResult",
    "StarResult",
    "StopResult",
    "Table",
    "Usage",
    "User",
    "ValidationIssue",
    "ValidationResult",
]

JSON = Mapping[str, Any]


def _str(value: object, default: str = "") -> str:
    return default if value is None else str(value)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _time(value: object) -> datetime | None:
    """ISO 8601 -> datetime; None when absent or not a time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


class _Raw:
    raw: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON this was parsed from, as Atlas sent it (camelCase)."""
        return dict(self.raw)


@dataclass(frozen=True)
class DataSet:
    """One SQL result: column names and rows keyed by column name."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = False

    @classmethod
    def from_json(cls, d: JSON) -> DataSet:
        rows = [dict(r) for r in _list(d.get("rows")) if isinstance(r, Mapping)]
        columns = [str(c) for c in _list(d.get("columns"))]
        return cls(columns, rows, bool(d.get("truncated", False)))


@dataclass(frozen=True)
class Usage:
    total_tokens: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    @classmethod
    def from_json(cls, d: JSON) -> Usage:
        return cls(
            _int(d.get("totalTokens")), _int(d.get("inputTokens")), _int(d.get("outputTokens"))
        )


@dataclass(frozen=True)
class Clarification:
    """Atlas needs to know which meaning of ``term`` you mean; answer with one of ``options``."""

    term: str
    options: list[str]
    question: str = ""

    @classmethod
    def from_json(cls, d: JSON) -> Clarification:
        options = [str(o) for o in _list(d.get("options"))]
        return cls(_str(d.get("term")), options, _str(d.get("question")))


@dataclass(frozen=True)
class QueryResult(_Raw):
    """One whole answer: the narrative, the SQL that ran and its rows."""

    answer: str
    sql: list[str]
    data: list[DataSet]
    steps: int
    usage: Usage
    conversation_id: str | None
    request_id: str
    clarification: Clarification | None = None
    suggestions: list[str] | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> QueryResult:
        clarification = d.get("clarification")
        suggestions = d.get("suggestions")
        return cls(
            answer=_str(d.get("answer")),
            sql=[str(s) for s in _list(d.get("sql"))],
            data=[DataSet.from_json(x) for x in _list(d.get("data")) if isinstance(x, Mapping)],
            steps=_int(d.get("steps")),
            usage=Usage.from_json(_dict(d.get("usage"))),
            conversation_id=_opt_str(d.get("conversationId")),
            request_id=_str(d.get("requestId")),
            clarification=(
                Clarification.from_json(clarification)
                if isinstance(clarification, Mapping)
                else None
            ),
            suggestions=[str(s) for s in suggestions] if isinstance(suggestions, list) else None,
            raw=dict(d),
        )


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str = ""


@dataclass(frozen=True)
class Table:
    """A table the semantic layer exposes."""

    table: str
    description: str
    columns: list[Column]

    @classmethod
    def from_json(cls, d: JSON) -> Table:
        columns = [
            Column(_str(c.get("name")), _str(c.get("type")), _str(c.get("description")))
            for c in _list(d.get("columns"))
            if isinstance(c, Mapping)
        ]
        return cls(_str(d.get("table")), _str(d.get("description")), columns)


@dataclass(frozen=True)
class ValidationIssue:
    layer: str
    message: str


@dataclass(frozen=True)
class ValidationResult(_Raw):
    """What the SQL guard says of a query, without running it."""

    valid: bool
    errors: list[ValidationIssue]
    tables: list[str]
    rewritten_sql: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> ValidationResult:
        errors = [
            ValidationIssue(_str(e.get("layer")), _str(e.get("message")))
            for e in _list(d.get("errors"))
            if isinstance(e, Mapping)
        ]
        tables = [str(t) for t in _list(d.get("tables"))]
        rewritten = _opt_str(d.get("rewrittenSql"))
        return cls(bool(d.get("valid")), errors, tables, rewritten, dict(d))


@dataclass(frozen=True)
class Health(_Raw):
    """``ok``, ``degraded`` (no worker, or an optional check failed) or ``error``."""

    status: str
    checks: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def auth_mode(self) -> str | None:
        return _opt_str(_dict(self.checks.get("auth")).get("mode"))

    @property
    def workers(self) -> int:
        return _int(_dict(self.checks.get("workers")).get("consumers"))

    @classmethod
    def from_json(cls, d: JSON) -> Health:
        return cls(_str(d.get("status"), "error"), _dict(d.get("checks")), dict(d))


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    surface: str
    starred: bool
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def _fields(cls, d: JSON) -> dict[str, Any]:
        return {
            "id": _str(d.get("id")),
            "title": _str(d.get("title")),
            "surface": _str(d.get("surface")),
            "starred": bool(d.get("starred")),
            "created_at": _time(d.get("createdAt")),
            "updated_at": _time(d.get("updatedAt")),
        }

    @classmethod
    def from_json(cls, d: JSON) -> Conversation:
        return cls(**cls._fields(d))


@dataclass(frozen=True)
class Message:
    id: str
    role: str
    content: str
    created_at: datetime | None

    @classmethod
    def from_json(cls, d: JSON) -> Message:
        return cls(
            _str(d.get("id")),
            _str(d.get("role")),
            _str(d.get("content")),
            _time(d.get("createdAt")),
        )


@dataclass(frozen=True)
class ConversationDetail(Conversation):
    messages: list[Message] = field(default_factory=list)

    @classmethod
    def from_json(cls, d: JSON) -> ConversationDetail:
        messages = [
            Message.from_json(m) for m in _list(d.get("messages")) if isinstance(m, Mapping)
        ]
        return cls(**cls._fields(d), messages=messages)


@dataclass(frozen=True)
class ConversationList:
    conversations: list[Conversation]
    total: int

    @classmethod
    def from_json(cls, d: JSON) -> ConversationList:
        items = [
            Conversation.from_json(c)
            for c in _list(d.get("conversations"))
            if isinstance(c, Mapping)
        ]
        return cls(items, _int(d.get("total"), len(items)))


@dataclass(frozen=True)
class StarResult:
    id: str
    starred: bool


@dataclass(frozen=True)
class StopResult:
    request_id: str
    stopped: bool


@dataclass(frozen=True)
class ApiKey:
    """A stored API key, masked: ``start`` is its first characters, never the whole key."""

    id: str
    name: str
    start: str | None
    prefix: str | None
    role: str | None
    status: str | None
    created_at: datetime | None
    expires_at: datetime | None
    last_request: datetime | None

    @classmethod
    def _fields(cls, d: JSON) -> dict[str, Any]:
        return {
            "id": _str(d.get("id")),
            "name": _str(d.get("name")),
            "start": _opt_str(d.get("start")),
            "prefix": _opt_str(d.get("prefix")),
            "role": _opt_str(d.get("role")),
            "status": _opt_str(d.get("status")),
            "created_at": _time(d.get("createdAt")),
            "expires_at": _time(d.get("expiresAt")),
            "last_request": _time(d.get("lastRequest")),
        }

    @classmethod
    def from_json(cls, d: JSON) -> ApiKey:
        return cls(**cls._fields(d))


@dataclass(frozen=True)
class CreatedApiKey(ApiKey):
    """A key just created: ``key`` is the whole secret, shown this once (kept out of repr)."""

    key: str = field(default="", repr=False)

    @classmethod
    def from_json(cls, d: JSON) -> CreatedApiKey:
        return cls(**cls._fields(d), key=_str(d.get("key")))


@dataclass(frozen=True)
class ApiKeyList:
    api_keys: list[ApiKey]
    total: int

    @classmethod
    def from_json(cls, d: JSON) -> ApiKeyList:
        keys = [ApiKey.from_json(k) for k in _list(d.get("apiKeys")) if isinstance(k, Mapping)]
        return cls(keys, _int(d.get("total"), len(keys)))


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    role: str
    workspace_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: JSON) -> User:
        return cls(
            _str(d.get("id")),
            _str(d.get("email")),
            _str(d.get("name")),
            _str(d.get("role")),
            _opt_str(d.get("workspaceId")),
            dict(d),
        )


@dataclass(frozen=True)
class SignInResult:
    """A managed-mode session: ``token`` is its bearer credential (kept out of repr)."""

    token: str = field(repr=False)
    user: User

    @classmethod
    def from_json(cls, d: JSON) -> SignInResult:
        return cls(_str(d.get("token")), User.from_json(_dict(d.get("user"))))


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    expires_at: datetime | None
    user: User

    @classmethod
    def from_json(cls, d: JSON) -> SessionInfo:
        session = _dict(d.get("session"))
        return cls(
            _str(session.get("id")),
            _time(session.get("expiresAt")),
            User.from_json(_dict(d.get("user"))),
        )
