"""The list / export filters: parsed from the query string, turned into one WHERE clause.

Every clause starts with the caller's workspace, so no filter can reach another workspace's rows.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from atlas_common.errors import ValidationFailed

_ACTION = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")
_NAME = re.compile(r"^[A-Za-z0-9_.:@-]{1,200}$")
#: The expression the trigram index covers (``q``: text in the question or the SQL).
SEARCH_EXPRESSION = "(coalesce(question, '') || ' ' || sql)"


@dataclass(frozen=True)
class AuditFilter:
    workspace_id: str
    user: str | None = None
    surface: str | None = None
    outcome: str | None = None
    success: bool | None = None
    kind: str | None = None
    action: str | None = None
    table: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    q: str | None = None

    def where(self, first: int = 1) -> tuple[str, list[Any]]:
        """``WHERE ...`` and its arguments, placeholders numbered from ``first``."""
        clauses = ["workspace_id = $%d"]
        args: list[Any] = [self.workspace_id]
        simple = (("user_id", self.user), ("surface", self.surface), ("outcome", self.outcome),
                  ("kind", self.kind), ("action", self.action))
        for column, value in simple:
            if value is not None:
                clauses.append(f"{column} = $%d")
                args.append(value)
        if self.success is not None:
            clauses.append("outcome = 'error'" if not self.success
                           else "outcome IS DISTINCT FROM 'error'")
        if self.table is not None:
            clauses.append("tables @> ARRAY[$%d]::text[]")
            args.append(self.table.lower())
        if self.since is not None:
            clauses.append("occurred_at >= $%d")
            args.append(self.since)
        if self.until is not None:
            clauses.append("occurred_at < $%d")
            args.append(self.until)
        if self.q:
            clauses.append(f"{SEARCH_EXPRESSION} ILIKE $%d")
            args.append("%" + _like_escaped(self.q) + "%")
        numbered = []
        n = first
        for clause in clauses:
            if "$%d" in clause:
                clause = clause % n
                n += 1
            numbered.append(clause)
        return "WHERE " + " AND ".join(numbered), args


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_instant(field: str, value: str | None, *, end: bool = False) -> datetime | None:
    """An ISO 8601 date or datetime (UTC when it names no zone). A date as ``to`` means the
    whole day: the bound is the next midnight (exclusive)."""
    if value is None or value == "":
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(field, "not an ISO 8601 date or datetime") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def checked_name(field: str, value: str | None, pattern: re.Pattern[str] = _NAME) -> str | None:
    if value is None or value == "":
        return None
    if not pattern.fullmatch(value):
        raise ValidationFailed(field, "not a valid value")
    return value


def checked_action(value: str | None) -> str | None:
    return checked_name("action", value, _ACTION)


def encode_cursor(occurred_at: datetime, event_id: str) -> str:
    raw = json.dumps([occurred_at.isoformat(), event_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, event_id = json.loads(raw)
        parsed = datetime.fromisoformat(moment)
        if not isinstance(event_id, str) or parsed.tzinfo is None:
            raise ValueError("bad cursor")
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationFailed("cursor", "not a cursor this API returned") from None
    return parsed, event_id
