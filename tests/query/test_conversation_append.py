"""A turn stored in one statement (issue 23): what the client saw comes back whole, the
conversation's recency moves, and another owner's conversation is left alone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from atlas_query.conversations.models import Owner, Turn
from atlas_query.conversations.repository import ConversationRepository
from atlas_query.db import open_query_db
from tests.support.isolation import Isolation

ANA = Owner("w1", "ana")
BOB = Owner("w1", "bob")


@pytest.fixture
async def repo(isolation: Isolation) -> AsyncIterator[ConversationRepository]:
    pool: asyncpg.Pool = await open_query_db(isolation.database_url, max_size=2)
    yield ConversationRepository(pool)
    await pool.close()


def _id(name: str) -> str:
    """Request and conversation ids are unique across the session's database."""
    return f"{name}-{uuid.uuid4().hex[:8]}"


def _turn(request_id: str, sql: list[str]) -> Turn:
    return Turn(request_id=_id(request_id), question=f"question {request_id}", answer="an answer",
                sql=sql, results=[{"columns": ["n"], "rows": [{"n": 1}]}] if sql else [])


async def test_both_turns_are_stored_as_sent(repo: ConversationRepository) -> None:
    c1 = _id("c1")
    assert await repo.append(c1, ANA, "api", _turn("r1", ["SELECT 1", "SELECT 2"]))
    assert await repo.append(c1, ANA, "api", _turn("r2", []))  # no SQL, no data
    messages = await repo.messages(c1)
    assert [(m.role, m.content) for m in messages] == [
        ("user", "question r1"), ("assistant", "an answer"),
        ("user", "question r2"), ("assistant", "an answer"),
    ]
    assert messages[1].sql == ["SELECT 1", "SELECT 2"]
    assert messages[1].data_summary is not None and messages[1].data_summary["rowCount"] == 1
    assert messages[0].sql == [] and messages[0].data_summary is None
    assert messages[3].sql == [] and messages[3].data_summary is None


async def test_a_later_turn_moves_the_conversation_up(repo: ConversationRepository) -> None:
    cy = Owner("w1", _id("cy"))  # alone in this test: the database is the session's
    old, new = _id("old"), _id("new")
    await repo.append(old, cy, "api", _turn("r3", []))
    await repo.append(new, cy, "api", _turn("r4", []))
    await repo.append(old, cy, "api", _turn("r5", []))
    page, total = await repo.page(cy, limit=10, offset=0, starred=None)
    assert total == 2
    assert [c.id for c in page] == [old, new]


async def test_another_owners_conversation_is_not_touched(repo: ConversationRepository) -> None:
    c2 = _id("c2")
    await repo.append(c2, ANA, "api", _turn("r6", []))
    assert not await repo.append(c2, BOB, "api", _turn("r7", ["SELECT 1"]))
    assert len(await repo.messages(c2)) == 2
    page, _ = await repo.page(BOB, limit=10, offset=0, starred=None)
    assert c2 not in [c.id for c in page]
