"""Retention of the conversations ``POST /api/v1/query`` leaves behind.

Every JSON question is stored as a conversation (surface ``api``) unless it says ``store:
false``, so that its ``conversationId`` can be followed up. Left alone, that is a row per
request forever; a scheduled task's runs (surface ``scheduled``) likewise, one per run.
query-api deletes, every ``ATLAS_CONVERSATION_CLEANUP_INTERVAL_S``, those untouched for
``ATLAS_CONVERSATION_RETENTION_DAYS`` (30; 0 keeps them). Chat conversations (web, mcp, slack)
are the product and stay; a starred one stays too: someone asked to keep it.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from atlas_query.conversations.repository import delete_expired

log = logging.getLogger(__name__)

#: The surfaces of conversations nobody typed into: the JSON question route's and scheduled runs'.
RETAINED_SURFACES = ["api", "scheduled"]


async def apply_retention(pool: asyncpg.Pool, days: int) -> int:
    deleted = await delete_expired(pool, RETAINED_SURFACES, days)
    if deleted:
        log.info("expired conversations deleted", extra={"count": deleted, "days": days})
    return deleted


async def run_retention(pool: asyncpg.Pool, days: int, interval_s: float) -> None:
    """The periodic cleanup; a database error is logged and retried at the next interval."""
    while True:
        try:
            await apply_retention(pool, days)
        except (asyncpg.PostgresError, OSError) as exc:
            log.warning("conversation retention not applied: %r", exc)
        await asyncio.sleep(interval_s)
