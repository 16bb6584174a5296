"""What a stored conversation is made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: Rows kept with an assistant turn: enough to follow up, never the whole result.
SUMMARY_ROWS = 20
TITLE_CHARS = 80


@dataclass(frozen=True)
class Owner:
    workspace_id: str
    user_id: str


@dataclass
class Turn:
    """One answer as the worker saw it stream out, to be stored with the question."""

    request_id: str
    question: str
    answer: str = ""
    sql: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)

    def data_summary(self) -> dict[str, Any] | None:
        if not self.results:
            return None
        last = self.results[-1]
        rows = last.get("rows", [])
        return {
            "columns": last.get("columns", []),
            "rows": rows[:SUMMARY_ROWS],
            "rowCount": len(rows),
            "truncated": bool(last.get("truncated")),
        }


@dataclass(frozen=True)
class Conversation:
    id: str
    user_id: str
    title: str
    surface: str
    starred: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    role: str
    content: str
    created_at: datetime
    sql: list[str]
    data_summary: dict[str, Any] | None


def title_of(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Share:
    """A live share link of a conversation (the token itself is never stored)."""

    conversation_id: str
    share_mode: str
    expires_at: datetime | None
