"""Share links on the real PostgreSQL: owner only, the token never stored, revoked / replaced /
expired / malformed all the same 404, and a public view without ids, SQL or rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from atlas_common.errors import InvalidRequest, NotFound
from atlas_common.principal import Principal
from atlas_common.wire.conversations import ShareRequest
from atlas_query.conversations.models import Turn
from atlas_query.conversations.repository import ConversationRepository
from atlas_query.conversations.service import ConversationService, owner_of
from atlas_query.conversations.shares import ShareRepository
from atlas_query.conversations.sharing import SharingService, token_hash
from atlas_query.db import open_query_db
from tests.support.isolation import Isolation

ANA = Principal(user_id="ana", workspace_id="w1", role="viewer")
BOB = Principal(user_id="bob", workspace_id="w1", role="admin")
BASE = "https://atlas.example.com/"


@dataclass
class Services:
    pool: asyncpg.Pool
    conversations: ConversationService
    sharing: SharingService


@pytest.fixture
async def services(isolation: Isolation) -> AsyncIterator[Services]:
    pool: asyncpg.Pool = await open_query_db(isolation.database_url, max_size=2)
    repository = ConversationRepository(pool)
    yield Services(
        pool, ConversationService(repository), SharingService(repository, ShareRepository(pool))
    )
    await pool.close()


async def conversation_of(services: Services, principal: Principal, request_id: str) -> str:
    cid = await services.conversations.resolve(None, None, principal)
    turn = Turn(request_id=request_id, question="How many users?", answer="There are 6,002.",
                sql=["SELECT count(*) FROM users"],
                results=[{"columns": ["n"], "rows": [{"n": 6002}]}])
    await services.conversations.record(cid, principal, "web", turn)
    return cid


async def test_a_link_shows_the_turns_and_nothing_else(services: Services) -> None:
    cid = await conversation_of(services, ANA, "s1")
    link = await services.sharing.share(cid, ANA, ShareRequest(), BASE)
    assert link.url == f"https://atlas.example.com/api/public/conversations/{link.token}"
    assert (link.share_mode, link.expires_at) == ("public", None)
    view = (await services.sharing.shared(link.token)).model_dump(by_alias=True)
    assert set(view) == {"title", "surface", "createdAt", "shareMode", "messages"}
    assert [set(m) for m in view["messages"]] == [{"role", "content", "createdAt"}] * 2
    assert view["messages"][1]["content"] == "There are 6,002."
    assert "6002" not in str(view) and "SELECT" not in str(view)  # no rows, no SQL


async def test_only_a_hash_of_the_token_is_stored(services: Services) -> None:
    cid = await conversation_of(services, ANA, "s2")
    link = await services.sharing.share(cid, ANA, ShareRequest(), BASE)
    stored = await services.pool.fetchval(
        "SELECT token_hash FROM query.conversation_shares WHERE conversation_id = $1", cid)
    assert stored == token_hash(link.token) and link.token not in stored
    assert len(link.token) >= 40  # 256 bits, URL-safe


async def test_only_the_owner_shares_or_unshares(services: Services) -> None:
    cid = await conversation_of(services, ANA, "s3")
    with pytest.raises(NotFound):
        await services.sharing.share(cid, BOB, ShareRequest(), BASE)  # even an admin
    link = await services.sharing.share(cid, ANA, ShareRequest(), BASE)
    with pytest.raises(NotFound):
        await services.sharing.unshare(cid, BOB)
    assert (await services.sharing.shared(link.token)).title


async def test_revoked_replaced_expired_and_malformed_links_are_not_found(
    services: Services,
) -> None:
    cid = await conversation_of(services, ANA, "s4")
    first = await services.sharing.share(cid, ANA, ShareRequest(), BASE)
    second = await services.sharing.share(cid, ANA, ShareRequest(expires_in="1h"), BASE)
    assert second.expires_at is not None
    await services.sharing.shared(second.token)
    past = datetime.now(UTC) - timedelta(seconds=1)
    expired = "e" * 43
    await ShareRepository(services.pool).put(cid, owner_of(ANA), token_hash(expired), "public",
                                             past)
    revoked = second.token
    await services.sharing.unshare(cid, ANA)
    for token in (first.token, revoked, expired, "short", "x" * 43, "../../etc/passwd" * 3):
        with pytest.raises(NotFound):
            await services.sharing.shared(token)


async def test_org_links_are_refused_as_invalid(services: Services) -> None:
    cid = await conversation_of(services, ANA, "s5")
    with pytest.raises(InvalidRequest):
        await services.sharing.share(cid, ANA, ShareRequest(share_mode="org"), BASE)


async def test_a_deleted_conversation_takes_its_link_with_it(services: Services) -> None:
    cid = await conversation_of(services, ANA, "s6")
    link = await services.sharing.share(cid, ANA, ShareRequest(), BASE)
    await services.conversations.delete(cid, ANA)
    with pytest.raises(NotFound):
        await services.sharing.shared(link.token)
