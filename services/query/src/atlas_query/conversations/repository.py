"""Every SQL statement about conversations (schema ``query``)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg

from atlas_query.conversations.models import Conversation, Message, Owner, Turn, title_of

_CONVERSATION = "id, user_id, title, surface, starred, created_at, updated_at"


class ConversationRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def owner_of(self, conversation_id: str) -> Owner | None:
        row = await self._pool.fetchrow(
            "SELECT workspace_id, user_id FROM query.conversations WHERE id = $1", conversation_id
        )
        return None if row is None else Owner(row["workspace_id"], row["user_id"])

    async def owns(self, conversation_id: str, owner: Owner) -> bool:
        row = await self._pool.fetchval(
            "SELECT 1 FROM query.conversations WHERE id = $1 AND workspace_id = $2"
            " AND user_id = $3",
            conversation_id,
            owner.workspace_id,
            owner.user_id,
        )
        return row is not None

    async def append(self, conversation_id: str, owner: Owner, surface: str, turn: Turn) -> bool:
        """Store both turns once per request id; False when the id belongs to someone else.

        One statement (atomic on its own, one round trip where a transaction took seven; issue
        23): the upsert locks the conversation and returns it only when it is the owner's, and
        the turns are inserted from what it returned."""
        summary = turn.data_summary()
        stored = await self._pool.fetchval(
            _APPEND,
            conversation_id, owner.workspace_id, owner.user_id, title_of(turn.question), surface,
            turn.request_id,
            uuid.uuid4().hex, turn.question,
            uuid.uuid4().hex, turn.answer, json.dumps(turn.sql),
            None if summary is None else json.dumps(summary, default=str),
        )
        return bool(stored)

    async def history(self, conversation_id: str, owner: Owner, limit: int) -> list[Message]:
        if not await self.owns(conversation_id, owner):
            return []
        rows = await self._pool.fetch(
            "SELECT * FROM (SELECT id, conversation_id, role, content, created_at, sql,"
            " data_summary FROM query.messages WHERE conversation_id = $1"
            " ORDER BY created_at DESC, role DESC LIMIT $2) recent"
            " ORDER BY created_at, role DESC",
            conversation_id,
            limit,
        )
        return [_message(r) for r in rows]

    async def page(
        self, owner: Owner, *, limit: int, offset: int, starred: bool | None
    ) -> tuple[list[Conversation], int]:
        where = "workspace_id = $1 AND user_id = $2 AND ($3::boolean IS NULL OR starred = $3)"
        args: list[Any] = [owner.workspace_id, owner.user_id, starred]
        total = await self._pool.fetchval(
            f"SELECT count(*) FROM query.conversations WHERE {where}", *args
        )
        rows = await self._pool.fetch(
            f"SELECT {_CONVERSATION} FROM query.conversations WHERE {where}"
            " ORDER BY updated_at DESC, id LIMIT $4 OFFSET $5",
            *args,
            limit,
            offset,
        )
        return [Conversation(**dict(r)) for r in rows], int(total)

    async def get(self, conversation_id: str, owner: Owner) -> Conversation | None:
        row = await self._pool.fetchrow(
            f"SELECT {_CONVERSATION} FROM query.conversations WHERE id = $1"
            " AND workspace_id = $2 AND user_id = $3",
            conversation_id,
            owner.workspace_id,
            owner.user_id,
        )
        return None if row is None else Conversation(**dict(row))

    async def by_id(self, conversation_id: str) -> Conversation | None:
        """Whoever owns it: only for a share link, whose token already proved access."""
        row = await self._pool.fetchrow(
            f"SELECT {_CONVERSATION} FROM query.conversations WHERE id = $1", conversation_id
        )
        return None if row is None else Conversation(**dict(row))

    async def messages(self, conversation_id: str) -> list[Message]:
        rows = await self._pool.fetch(
            "SELECT id, conversation_id, role, content, created_at, sql, data_summary"
            " FROM query.messages"
            " WHERE conversation_id = $1 ORDER BY created_at, role DESC",
            conversation_id,
        )
        return [_message(r) for r in rows]

    async def delete(self, conversation_id: str, owner: Owner) -> bool:
        status = await self._pool.execute(
            "DELETE FROM query.conversations WHERE id = $1 AND workspace_id = $2 AND user_id = $3",
            conversation_id,
            owner.workspace_id,
            owner.user_id,
        )
        return str(status).endswith(" 1")

    async def star(self, conversation_id: str, owner: Owner, starred: bool) -> bool:
        status = await self._pool.execute(
            "UPDATE query.conversations SET starred = $4 WHERE id = $1 AND workspace_id = $2"
            " AND user_id = $3",
            conversation_id,
            owner.workspace_id,
            owner.user_id,
            starred,
        )
        return str(status).endswith(" 1")


async def delete_expired(
    pool: asyncpg.Pool, surfaces: list[str], days: int, batch: int = 1000
) -> int:
    """Delete unstarred conversations of these surfaces untouched for ``days``; their messages
    and shares go with them (ON DELETE CASCADE). Batches keep each transaction short."""
    deleted = 0
    while True:
        status = await pool.execute(
            "DELETE FROM query.conversations WHERE id IN (SELECT id FROM query.conversations"
            " WHERE surface = ANY($1::text[]) AND NOT starred"
            " AND updated_at < now() - make_interval(days => $2) LIMIT $3)",
            surfaces,
            days,
            batch,
        )
        count = int(status.rsplit(" ", 1)[1])
        deleted += count
        if count < batch:
            return deleted


def _message(row: asyncpg.Record) -> Message:
    sql = row["sql"]
    data = row["data_summary"]
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        role=row["role"],
        content=row["content"],
        created_at=row["created_at"],
        sql=json.loads(sql) if isinstance(sql, str) else list(sql or []),
        data_summary=json.loads(data) if isinstance(data, str) else data,
    )


# $1 conversation, $2 workspace, $3 user, $4 title, $5 surface, $6 request id; the user's turn
# $7 id, $8 content; the assistant's $9 id, $10 content, $11 sql, $12 data summary.
_APPEND = """
WITH conv AS (
  INSERT INTO query.conversations AS c (id, workspace_id, user_id, title, surface)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (id) DO UPDATE SET updated_at = now()
    WHERE c.workspace_id = EXCLUDED.workspace_id AND c.user_id = EXCLUDED.user_id
  RETURNING c.id
), turns AS (
  INSERT INTO query.messages (id, conversation_id, request_id, role, content, sql, data_summary)
  SELECT m.id, conv.id, $6, m.role, m.content, m.sql::jsonb, m.data::jsonb
  FROM conv, (VALUES ($7::text, 'user', $8::text, '[]', NULL::text),
                     ($9::text, 'assistant', $10::text, $11::text, $12::text))
       AS m (id, role, content, sql, data)
  ON CONFLICT (request_id, role) DO NOTHING
)
SELECT count(*) FROM conv
"""
