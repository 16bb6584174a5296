"""Every SQL statement about share links (``query.conversation_shares``).

One live link per conversation: sharing again replaces the token (the old link stops working),
unsharing deletes it. Only the SHA-256 of a token is stored and looked up.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from atlas_query.conversations.models import Owner, Share


class ShareRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def put(
        self,
        conversation_id: str,
        owner: Owner,
        token_hash: str,
        share_mode: str,
        expires_at: datetime | None,
    ) -> bool:
        """Store the link when ``owner`` owns the conversation; False otherwise."""
        status = await self._pool.execute(
            "INSERT INTO query.conversation_shares"
            " (conversation_id, token_hash, share_mode, expires_at)"
            " SELECT id, $4, $5, $6 FROM query.conversations"
            " WHERE id = $1 AND workspace_id = $2 AND user_id = $3"
            " ON CONFLICT (conversation_id) DO UPDATE SET token_hash = EXCLUDED.token_hash,"
            " share_mode = EXCLUDED.share_mode, expires_at = EXCLUDED.expires_at,"
            " created_at = now()",
            conversation_id,
            owner.workspace_id,
            owner.user_id,
            token_hash,
            share_mode,
            expires_at,
        )
        return str(status).endswith(" 1")

    async def remove(self, conversation_id: str) -> None:
        await self._pool.execute(
            "DELETE FROM query.conversation_shares WHERE conversation_id = $1", conversation_id
        )

    async def find(self, token_hash: str) -> Share | None:
        """The live (unexpired) link with this token hash."""
        row = await self._pool.fetchrow(
            "SELECT conversation_id, share_mode, expires_at FROM query.conversation_shares"
            " WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > now())",
            token_hash,
        )
        return None if row is None else Share(**dict(row))
