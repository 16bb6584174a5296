"""Conversation storage on the real PostgreSQL: idempotent turns, ownership, paging."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from atlas_common.principal import Principal
from atlas_query.conversations.models import Turn
from atlas_query.conversations.repository import ConversationRepository
from atlas_query.conversations.service import ConversationService
from atlas_query.db import open_query_db
from tests.support.isolation import Isolation

ANA = Principal(user_id="ana", workspace_id="w1", role="analyst")
BOB = Principal(user_id="bob", workspace_id="w1", role="analyst")


@pytest.fixture
async def service(isolation: Isolation) -> AsyncIterator[ConversationService]:
    pool: asyncpg.Pool = await open_query_db(isolation.database_url, max_size=2)
    yield ConversationService(ConversationRepository(pool))
    await pool.close()


def turn(request_id: str, question: str = "How many users?") -> Turn:
    return Turn(
        request_id=request_id,
        question=question,
        answer="There are 6,002 users.",
        sql=["SELECT count(*) FROM users"],
        results=[{"columns": ["n"], "rows": [{"n": i} for i in range(50)]}],
    )


async def test_a_redelivered_job_appends_once(service: ConversationService) -> None:
    conversation = await service.resolve(None, None, ANA)
    await service.record(conversation, ANA, "api", turn("r1"))
    await service.record(conversation, ANA, "api", turn("r1"))
    _, messages = await service.get(conversation, ANA)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].data_summary is not None
    assert messages[1].data_summary["rowCount"] == 50
    assert len(messages[1].data_summary["rows"]) == 20  # bounded summary


async def test_someone_elses_conversation_is_not_found_and_not_joined(
    service: ConversationService,
) -> None:
    conversation = await service.resolve(None, None, ANA)
    await service.record(conversation, ANA, "api", turn("r2"))
    assert await service.resolve(conversation, None, BOB) != conversation
    assert await service.resolve(None, conversation, BOB) != conversation  # as a chat id too
    assert await service.resolve(conversation, None, ANA) == conversation
    await service.record(conversation, BOB, "api", turn("r3"))  # refused, logged
    _, messages = await service.get(conversation, ANA)
    assert len(messages) == 2
    with pytest.raises(Exception, match="No such conversation"):
        await service.get(conversation, BOB)
    assert await service.history(conversation, BOB) == ()


async def test_paging_newest_first_star_filter_and_title(service: ConversationService) -> None:
    owner = Principal(user_id="cat", workspace_id="w2")
    ids = []
    for i in range(3):
        cid = await service.resolve(None, None, owner)
        await service.record(cid, owner, "chat", turn(f"p{i}", f"Question {i} " + "x" * 100))
        ids.append(cid)
    page, total = await service.page(owner, limit=2, offset=0, starred=None)
    assert total == 3 and [c.id for c in page] == [ids[2], ids[1]]
    assert page[0].title.startswith("Question 2") and len(page[0].title) <= 80
    await service.star(ids[0], owner, True)
    starred, count = await service.page(owner, limit=10, offset=0, starred=True)
    assert count == 1 and starred[0].id == ids[0] and starred[0].starred
    history = await service.history(ids[0], owner)
    assert [h.role for h in history] == ["user", "assistant"]
    assert "SQL: SELECT count(*) FROM users" in history[1].content
    await service.delete(ids[0], owner)
    assert (await service.page(owner, limit=10, offset=0, starred=None))[1] == 2
