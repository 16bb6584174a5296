"""A burst of questions is never a false outage; a broker really gone is one at once (issue 27).

One stack for this module (its broker must be stopped, so it cannot be the session's): a
private RabbitMQ node, one worker with ``ATLAS_PLANNER=llm`` answering from a scripted provider
that streams a word a second (answers stay open, as with a real model), auth and a gateway
whose cap on questions in flight is above the burst, so every question of the burst reaches
the worker check and the publish. 500 chats opened at once (the issue's failing burst: before
the fix about half were refused ``unavailable``; at 300 they were not, so 300 proves nothing)
get no ``unavailable``: each is a 200 stream or a 503/429 ``overloaded``. Then the broker is
stopped: the next question is 503 ``unavailable`` "The message broker is unreachable" within a
couple of seconds.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.agent.conftest import provider_env
from tests.e2e.agent.scripted import ScriptedProvider, say
from tests.support.isolation import Isolation
from tests.support.polling import wait_for
from tests.support.rabbitmq_server import PrivateRabbitMQ
from tests.support.stack import Stack, wait_for_workers

BURST = 500  # ~3.5 s here with a 2-core machine's Python client
QUESTION = "How many users signed up? [[burst]]"
#: Generous test bound for "at once" (the gateway learns of the loss in milliseconds).
UNREACHABLE_BOUND_S = 5.0


@dataclass
class BurstStack:
    stack: Stack
    broker: PrivateRabbitMQ

    @property
    def gateway(self) -> str:
        return self.stack.gateway_url


@pytest.fixture(scope="module")
def burst_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BurstStack]:
    directory = tmp_path_factory.mktemp("bursts")
    provider = ScriptedProvider(default=say("one word a second " * 5, chunk_delay_s=1.0)).start()
    iso = Isolation().create()
    broker = PrivateRabbitMQ(directory / "rabbitmq").start()
    env = {
        **iso.env(),
        **provider_env("openai-compatible", provider.url),
        "ATLAS_RABBITMQ_URL": broker.url,
        "ATLAS_PLANNER": "llm",
        "ATLAS_MODEL": "scripted-model",
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_QUERY_DEADLINE_S": "30",
        "ATLAS_STREAM_GRACE_S": "1",
        "ATLAS_GATEWAY_MAX_IN_FLIGHT": str(BURST * 2),
    }
    # its own stack: a private broker it stops, and a scripted LLM provider.
    stack = Stack(env, directory)
    try:
        with stack.together():
            stack.start("atlas-query-worker", "worker-1")
            stack.start_auth()
            stack.gateway_url = stack.start_gateway()
        wait_for_workers(stack.gateway_url)
        yield BurstStack(stack, broker)
    finally:
        for worker in stack.workers():  # with its broker gone a worker takes 20 s to stop
            stack.stop(worker, signal.SIGKILL)
        stack.stop_all()
        broker.stop()
        provider.stop()
        iso.remove()


def chat_body(text: str) -> dict[str, object]:
    return {"messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": text}]}]}


async def _open_chat(client: httpx.AsyncClient) -> tuple[int, str]:
    """The status and error code of one chat; a stream is left after its headers."""
    async with client.stream("POST", "/api/v1/chat", json=chat_body(QUESTION)) as r:
        if r.status_code == 200:
            return 200, ""
        await r.aread()
        return r.status_code, r.json().get("error", "")


async def _burst(gateway: str, n: int) -> Counter[tuple[int, str]]:
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=gateway, timeout=60, limits=limits) as client:
        results = await asyncio.gather(*(_open_chat(client) for _ in range(n)))
    return Counter(results)


@pytest.mark.timeout(300)  # ~5 s here; minutes on a machine shared by many test runs
def test_a_burst_gets_no_unavailable(burst_stack: BurstStack) -> None:
    outcomes = asyncio.run(_burst(burst_stack.gateway, BURST))
    assert not [o for o in outcomes if o[1] == "unavailable"], outcomes
    allowed = {(200, ""), (503, "overloaded"), (429, "overloaded")}
    assert set(outcomes) <= allowed, outcomes
    assert outcomes[(200, "")] > 0, outcomes


def test_a_broker_really_down_is_unavailable_at_once(burst_stack: BurstStack) -> None:
    gateway = burst_stack.gateway
    stopping = time.monotonic()  # the bound covers the broker's own shutdown (~1 s)
    burst_stack.broker.stop()
    refused = wait_for(
        lambda: _refused(gateway),
        timeout=30,
        interval=0.05,
        what="503 unavailable after the broker stopped",
    )
    took = time.monotonic() - stopping
    assert refused["error"] == "unavailable", refused
    assert refused["message"] == "The message broker is unreachable", refused
    assert took < UNREACHABLE_BOUND_S, took


def _refused(gateway: str) -> dict[str, str] | None:
    r = httpx.post(gateway + "/api/v1/chat", json=chat_body(QUESTION), timeout=30)
    return r.json() if r.status_code == 503 else None
