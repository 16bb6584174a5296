"""Admission on the session's stack: a gateway capped at two questions in flight answers the
first two and refuses the third at once with 503 ``overloaded`` and an integer Retry-After,
without queueing it; once the two are answered, it takes questions again (issue 22).

The workers are paused (SIGSTOP) while the two are in flight, so "in flight" is a state the
test holds, not a race with the answer's speed; they are resumed before anything is awaited.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, contextmanager

import httpx
import pytest

from tests.support.stack import Proc, Stack

QUESTION = "How many users signed up last week?"


def chat_body(chat_id: str) -> dict[str, object]:
    return {"id": chat_id, "messages": [
        {"id": "m1", "role": "user", "parts": [{"type": "text", "text": QUESTION}]}]}


@pytest.fixture(scope="module")
def capped_gateway(stack: Stack) -> Iterator[str]:
    url = stack.start_gateway("gateway-cap2", {"ATLAS_GATEWAY_MAX_IN_FLIGHT": "2"})
    proc = stack.procs[-1]
    yield url
    stack.stop(proc)


@contextmanager
def paused(workers: list[Proc]) -> Iterator[None]:
    for worker in workers:
        os.kill(worker.popen.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for worker in workers:
            os.kill(worker.popen.pid, signal.SIGCONT)


async def open_stream(stack: AsyncExitStack, client: httpx.AsyncClient, url: str,
                      chat_id: str) -> httpx.Response:
    response = await stack.enter_async_context(
        client.stream("POST", url + "/api/v1/chat", json=chat_body(chat_id)))
    assert response.status_code == 200, await response.aread()
    return response  # its run holds a slot until the stream ends


async def frames(response: httpx.Response) -> AsyncIterator[str]:
    async for line in response.aiter_lines():
        if line.startswith("data: "):
            yield line.removeprefix("data: ")


async def read_to_done(response: httpx.Response) -> list[str]:
    seen = [frame async for frame in frames(response)]
    assert seen and seen[-1] == "[DONE]", seen[-3:]
    return seen


async def test_the_third_question_is_refused_while_two_are_answered(
    stack: Stack, capped_gateway: str
) -> None:
    async with httpx.AsyncClient(timeout=60) as client, AsyncExitStack() as streams:
        with paused(stack.workers()):
            first = await open_stream(streams, client, capped_gateway, "bp-1")
            second = await open_stream(streams, client, capped_gateway, "bp-2")
            refused = await client.post(capped_gateway + "/api/v1/query",
                                        json={"question": QUESTION})
        for answered in (first, second):
            seen = await read_to_done(answered)
            assert any('"text-delta"' in f for f in seen) and not any(
                '"type":"error"' in f.replace(" ", "") for f in seen), seen
    assert refused.status_code == 503, refused.text
    body = refused.json()
    assert body["error"] == "overloaded"
    seconds = int(refused.headers["retry-after"])  # an integer, or this raises
    assert seconds >= 1 and body["retryAfterSeconds"] == seconds
    assert body["requestId"] == refused.headers["x-request-id"]
    # Refused before anything was queued: no worker ever saw it (they log each job's id).
    logs = "".join(worker.output() for worker in stack.workers())
    assert first.headers["x-request-id"] in logs
    assert body["requestId"] not in logs


async def test_slots_are_given_back(capped_gateway: str) -> None:
    """After the streams above ended, questions one after another are all answered."""
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(3):
            r = await client.post(capped_gateway + "/api/v1/query", json={"question": QUESTION})
            assert r.status_code == 200, r.text
