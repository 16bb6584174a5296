"""Growth is bounded: what a question leaves in Redis expires (in-flight and finished TTLs), and
conversations of POST /api/v1/query are stored only when asked (``store``) and deleted after
ATLAS_CONVERSATION_RETENTION_DAYS, chats and starred ones kept (issue 22).

One private stack (auth, query-api, one worker, gateway) with tiny retention settings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
import redis

from tests.e2e.chaos.helpers import DEMO_QUESTION, chat_body
from tests.support.isolation import Isolation
from tests.support.polling import wait_for
from tests.support.stack import Stack, wait_for_workers
from tests.support.stacks import isolated_stack

FINISHED_TTL_S = 2
REPLAY_TTL_S = 8
QUESTIONS = 8
#: Bytes of Redis per answered question while it may still be replayed (measured ~5 KB).
BYTES_PER_QUESTION_BOUND = 16 * 1024


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Isolation]]:
    directory = tmp_path_factory.mktemp("retention")
    # its own stack: replay and finished-stream TTLs of seconds would cut other tests' streams.
    env = {
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_DIR": str(directory / "heartbeats"),
        "ATLAS_STREAM_GRACE_S": "0.5",
        "ATLAS_STREAM_REPLAY_TTL_S": str(REPLAY_TTL_S),
        "ATLAS_STREAM_FINISHED_TTL_S": str(FINISHED_TTL_S),
        "ATLAS_CONVERSATION_CLEANUP_INTERVAL_S": "1",
    }
    with isolated_stack(directory, env) as (s, iso):
        with s.together():
            s.start("atlas-query-worker", "worker-1")
            s.start_auth()
            s.start_query_api()
            s.gateway_url = s.start_gateway()
        wait_for_workers(s.gateway_url, 1)
        yield s, iso


def _ask(gateway: str, **extra: object) -> httpx.Response:
    return httpx.post(gateway + "/api/v1/query", json={"question": DEMO_QUESTION, **extra},
                      timeout=60)


def _chat(gateway: str, chat_id: str) -> tuple[str, str]:
    """Ask in a chat; returns (request id, conversation id)."""
    with httpx.stream("POST", gateway + "/api/v1/chat", json=chat_body(DEMO_QUESTION, chat_id),
                      timeout=60) as r:
        assert r.status_code == 200
        r.read()
        return r.headers["x-request-id"], r.headers["x-conversation-id"]


def _keys(client: redis.Redis, prefix: str) -> dict[str, tuple[int, int]]:
    """key -> (ttl, bytes) of everything under the run's prefix."""
    found = {}
    for raw in client.scan_iter(match=prefix + "*", count=1000):
        ttl, size = client.ttl(raw), client.memory_usage(raw)
        if ttl != -2 and size is not None:
            found[raw.decode()] = (int(ttl), int(size))
    return found


def test_what_a_question_leaves_in_redis_expires(stack: tuple[Stack, Isolation]) -> None:
    s, iso = stack
    client = redis.Redis.from_url(iso.redis_url)
    try:
        ids: list[str] = []
        sizes: list[int] = []
        for n in range(QUESTIONS):
            # Measured right after each answer, before its finished TTL runs out.
            asked = ([_ask(s.gateway_url).json()["requestId"]] if n % 4
                     else list(_chat(s.gateway_url, f"retention-chat-{n}")))
            keys = _keys(client, iso.redis_prefix)
            no_ttl = [k for k, (ttl, _) in keys.items() if ttl < 0]
            assert not no_ttl, f"keys without a TTL: {no_ttl}"
            mine = {k: v for k, v in keys.items() if any(i in k for i in asked)}
            assert mine, "the question left nothing to replay"
            assert all(ttl <= REPLAY_TTL_S for ttl, _ in mine.values()), mine
            sizes.append(sum(size for _, size in mine.values()))
            ids += asked
        print(f"\nRedis per answered question while replayable: mean {sum(sizes) / len(sizes):.0f}"
              f" B, max {max(sizes)} B")
        assert max(sizes) < BYTES_PER_QUESTION_BOUND
        # Past the retention window nothing of these questions is left.
        wait_for(lambda: not [k for k in _keys(client, iso.redis_prefix)
                              if any(i in k for i in ids)],
                 timeout=REPLAY_TTL_S + 20, what="every key of the questions expired")
    finally:
        client.close()


def _conversation_ids(gateway: str) -> set[str]:
    r = httpx.get(gateway + "/api/v1/conversations", params={"limit": 100}, timeout=10)
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["conversations"]}


def _backdate(database_url: str, days: int) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute("UPDATE query.conversations SET updated_at = now() - "
                               "make_interval(days => $1)", days)
        finally:
            await conn.close()

    asyncio.run(run())


def _insert_scheduled_run(database_url: str, conversation_id: str) -> None:
    """A scheduled task's run as the worker stores it (surface ``scheduled``, the owner's)."""

    async def run() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(
                "INSERT INTO query.conversations (id, workspace_id, user_id, title, surface) "
                "VALUES ($1, 'default', 'anonymous', 'Weekly orders', 'scheduled')",
                conversation_id)
        finally:
            await conn.close()

    asyncio.run(run())


def test_query_stores_a_conversation_only_when_asked(stack: tuple[Stack, Isolation]) -> None:
    s, _ = stack
    before = _conversation_ids(s.gateway_url)
    r = _ask(s.gateway_url, store=False)
    assert r.status_code == 200 and r.json()["answer"]
    assert r.json()["conversationId"] is None
    assert _conversation_ids(s.gateway_url) == before
    stored = _ask(s.gateway_url).json()["conversationId"]  # the default: stored, for follow-ups
    assert stored in _conversation_ids(s.gateway_url)
    refused = _ask(s.gateway_url, store=False, conversationId=stored)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_request"


def test_old_query_conversations_are_deleted_chats_and_starred_kept(
    stack: tuple[Stack, Isolation],
) -> None:
    s, iso = stack
    expiring = _ask(s.gateway_url).json()["conversationId"]
    starred = _ask(s.gateway_url).json()["conversationId"]
    r = httpx.patch(f"{s.gateway_url}/api/v1/conversations/{starred}/star",
                    json={"starred": True}, timeout=10)
    assert r.status_code == 200, r.text
    _, chat = _chat(s.gateway_url, "retention-kept-chat")
    scheduled = "retention-scheduled-run"
    _insert_scheduled_run(iso.database_url, scheduled)
    assert {expiring, starred, chat, scheduled} <= _conversation_ids(s.gateway_url)
    _backdate(iso.database_url, 31)  # older than ATLAS_CONVERSATION_RETENTION_DAYS (30)
    wait_for(lambda: not {expiring, scheduled} & _conversation_ids(s.gateway_url), timeout=30,
             what="the old query and scheduled-run conversations deleted by the cleanup")
    assert {starred, chat} <= _conversation_ids(s.gateway_url)
    r = httpx.get(f"{s.gateway_url}/api/v1/conversations/{expiring}", timeout=10)
    assert r.status_code == 404
