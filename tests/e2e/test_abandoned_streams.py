"""Clients that hang up mid-stream: the gateway lets go of their streams' Redis channels at
once, and the grace period then stops the runs, since nobody listens any more.

Issue 22's soak found the channels of abandoned streams subscribed long after their jobs
ended: a hang-up cancels the stream's task, and its cleanup, which waited for the hub's
subscribe lock (held by the other streams subscribing at that moment), was cancelled too.
So the streams here start together and hang up while the others are still subscribing.
"""

from __future__ import annotations

import asyncio

import httpx
import redis

from tests.support.isolation import Isolation
from tests.support.polling import wait_for

LONG_QUESTION = "Why is the sky blue?"  # the long "can't answer" text: many tokens
STREAMS = 16


async def abandon(client: httpx.AsyncClient, n: int) -> str:
    """Open a chat stream, read its first frame, hang up; the request id."""
    payload = {
        "id": f"chat-hang-up-{n}",
        "messages": [{"id": "m1", "role": "user",
                      "parts": [{"type": "text", "text": LONG_QUESTION}]}],
    }
    async with client.stream("POST", "/api/v1/chat", json=payload) as r:
        assert r.status_code == 200
        async for line in r.aiter_lines():
            if line.startswith("data:"):
                break
        return r.headers["x-request-id"]


async def abandon_together(gateway: str) -> list[str]:
    limits = httpx.Limits(max_connections=STREAMS)
    async with httpx.AsyncClient(base_url=gateway, timeout=30, limits=limits) as client:
        return list(await asyncio.gather(*(abandon(client, n) for n in range(STREAMS))))


def test_abandoned_streams_release_their_channels(gateway: str, isolation: Isolation) -> None:
    request_ids = asyncio.run(abandon_together(gateway))
    client = redis.Redis.from_url(isolation.redis_url)
    channels = [f"{isolation.redis_prefix}stream:{r}" for r in request_ids]

    def released() -> bool:
        return all(n == 0 for _, n in client.pubsub_numsub(*channels))

    def cancel_requested() -> bool:
        return client.exists(*(channel + ":cancel" for channel in channels)) == len(channels)

    try:
        wait_for(released, timeout=10, interval=0.1, what="the abandoned channels released")
        # Released at the hang-up, not at the run's end: after the grace period (0.5 s here)
        # the gateway found no listener and asked the workers to stop every run.
        wait_for(cancel_requested, timeout=10, interval=0.1, what="the runs' cancel requested")
        # (Whether a worker heeds a stop that lands as its job starts is
        # tests/query/test_worker_early_stop.py: here a short answer may end first on a busy
        # machine, so "every run stopped" would be a race, not a check.)
    finally:
        client.close()
