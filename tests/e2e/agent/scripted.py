"""Scripted model providers on loopback: the OpenAI chat-completions and Anthropic messages APIs.

The worker's real provider clients (the ``openai`` and ``anthropic`` SDKs through pydantic-ai)
talk to this server over HTTP, in the streaming formats the real APIs use: server-sent events
with text deltas, tool calls split over chunks, usage, and errors with their status codes and
``retry-after`` headers. A test scripts the replies of one question: it registers a list of
turns under a key and puts the key's marker (``[[key]]``) in the question; the n-th request
that carries the marker gets the n-th turn (a client's retry takes the next turn).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import sys
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.stack import free_port

_MARKER = re.compile(r"\[\[([A-Za-z0-9_.-]+)\]\]")


@dataclass(frozen=True)
class ToolCall:
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Turn:
    """One reply of the provider: text chunks and tool calls, or an error, or a stall."""

    text: Sequence[str] = ()
    tool_calls: Sequence[ToolCall] = ()
    status: int = 200
    error_type: str = "api_error"
    headers: dict[str, str] = field(default_factory=dict)
    first_delay_s: float = 0.0  # before the first chunk (the provider's time to first token)
    chunk_delay_s: float = 0.0  # between chunks
    stall_s: float = 0.0  # after the response headers, before any chunk
    malformed: bool = False  # a chunk that is not JSON after the first text chunk
    input_tokens: int = 120
    output_tokens: int = 30


@dataclass
class Served:
    """When a request arrived and when its first text chunk left (``time.monotonic()``)."""

    received: float
    first_text: float | None = None


def error(status: int, error_type: str, retry_after: int | None = None) -> Turn:
    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
    return Turn(status=status, error_type=error_type, headers=headers)


def say(text: str, **kwargs: Any) -> Turn:
    """A text reply streamed a word (with its spacing) per chunk."""
    return Turn(text=re.findall(r"\S+\s*|\s+", text), **kwargs)


def call(tool: str, /, **args: Any) -> Turn:
    return Turn(tool_calls=[ToolCall(tool, args)])


class ScriptedProvider:
    """``default``: the reply to a marked question with no script (the benchmark's mode)."""

    def __init__(self, default: Turn | None = None, port: int | None = None) -> None:
        self.default = default
        self.scripts: dict[str, list[Turn]] = {}
        self.requests: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.headers: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.served: dict[str, list[Served]] = defaultdict(list)
        self._ids = itertools.count(1)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._openai, methods=["POST"]),
                Route("/v1/messages", self._anthropic, methods=["POST"]),
                Route("/_served/{key}", self._served, methods=["GET"]),
            ]
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def script(self, key: str, *turns: Turn) -> str:
        """Register the replies to questions marked with ``key``; returns the marker."""
        self.scripts[key] = list(turns)
        return f"[[{key}]]"

    def start(self) -> ScriptedProvider:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the scripted provider did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)

    def _turn(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[Turn | None, Served]:
        served = Served(time.monotonic())
        keys = _MARKER.findall(json.dumps(body.get("messages", [])))
        if not keys or (keys[-1] not in self.scripts and self.default is None):
            return None, served
        key = keys[-1]
        self.requests[key].append(body)
        self.headers[key].append(headers)
        self.served[key].append(served)
        turns = self.scripts.get(key) or [self.default]
        index = len(self.requests[key]) - 1
        return (turns[index] if index < len(turns) else None), served

    async def _served(self, request: Request) -> Response:
        """When the requests of one key arrived and sent their first text (``time.monotonic``,
        comparable across processes on one machine)."""
        served = self.served.get(request.path_params["key"], [])
        return JSONResponse([{"received": s.received, "firstText": s.first_text} for s in served])

    # -- OpenAI chat completions -----------------------------------------------------------

    async def _openai(self, request: Request) -> Response:
        body = await request.json()
        turn, served = self._turn(body, dict(request.headers))
        if turn is None:
            return _openai_error(500, "server_error", "no script for this request", {})
        if turn.status != 200:
            return _openai_error(turn.status, turn.error_type, "scripted error", turn.headers)
        return StreamingResponse(self._openai_chunks(turn, served), media_type="text/event-stream")

    async def _openai_chunks(self, turn: Turn, served: Served) -> AsyncIterator[bytes]:
        base = {"id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion.chunk",
                "created": int(time.time()), "model": "scripted"}

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            return _sse({**base, "choices": [choice]})

        await _pace(turn, 0)
        yield chunk({"role": "assistant", "content": ""})
        for n, text in enumerate(turn.text):
            if n:
                await _pace(turn, n)
            served.first_text = served.first_text or time.monotonic()
            yield chunk({"content": text})
            if turn.malformed:
                yield b"data: {not json at all\n\n"
        for i, tool in enumerate(turn.tool_calls):
            call_id = f"call_{next(self._ids)}"
            head = {"index": i, "id": call_id, "type": "function",
                    "function": {"name": tool.name, "arguments": ""}}
            yield chunk({"tool_calls": [head]})
            args = json.dumps(tool.args)
            for part in (args[: len(args) // 2], args[len(args) // 2 :]):
                yield chunk({"tool_calls": [{"index": i, "function": {"arguments": part}}]})
        yield chunk({}, "tool_calls" if turn.tool_calls else "stop")
        usage = {"prompt_tokens": turn.input_tokens, "completion_tokens": turn.output_tokens,
                 "total_tokens": turn.input_tokens + turn.output_tokens}
        yield _sse({**base, "choices": [], "usage": usage})
        yield b"data: [DONE]\n\n"

    # -- Anthropic messages ----------------------------------------------------------------

    async def _anthropic(self, request: Request) -> Response:
        body = await request.json()
        turn, served = self._turn(body, dict(request.headers))
        if turn is None:
            return _anthropic_error(500, "api_error", "no script for this request", {})
        if turn.status != 200:
            return _anthropic_error(turn.status, turn.error_type, "scripted error", turn.headers)
        events = self._anthropic_events(turn, served)
        return StreamingResponse(events, media_type="text/event-stream")

    async def _anthropic_events(self, turn: Turn, served: Served) -> AsyncIterator[bytes]:
        message = {"id": f"msg_{next(self._ids)}", "type": "message", "role": "assistant",
                   "content": [], "model": "scripted", "stop_reason": None,
                   "stop_sequence": None,
                   "usage": {"input_tokens": turn.input_tokens, "output_tokens": 1}}
        await _pace(turn, 0)
        yield _event("message_start", {"type": "message_start", "message": message})
        index = 0
        if turn.text:
            yield _event("content_block_start", {"type": "content_block_start", "index": 0,
                                                 "content_block": {"type": "text", "text": ""}})
            for n, text in enumerate(turn.text):
                if n:
                    await _pace(turn, n)
                served.first_text = served.first_text or time.monotonic()
                delta = {"type": "text_delta", "text": text}
                yield _event("content_block_delta",
                             {"type": "content_block_delta", "index": 0, "delta": delta})
                if turn.malformed:
                    yield b"event: content_block_delta\ndata: {not json at all\n\n"
            yield _event("content_block_stop", {"type": "content_block_stop", "index": 0})
            index = 1
        for i, tool in enumerate(turn.tool_calls, start=index):
            block = {"type": "tool_use", "id": f"toolu_{next(self._ids)}", "name": tool.name,
                     "input": {}}
            yield _event("content_block_start",
                         {"type": "content_block_start", "index": i, "content_block": block})
            args = json.dumps(tool.args)
            for part in (args[: len(args) // 2], args[len(args) // 2 :]):
                delta = {"type": "input_json_delta", "partial_json": part}
                yield _event("content_block_delta",
                             {"type": "content_block_delta", "index": i, "delta": delta})
            yield _event("content_block_stop", {"type": "content_block_stop", "index": i})
        stop = "tool_use" if turn.tool_calls else "end_turn"
        yield _event("message_delta", {"type": "message_delta",
                                       "delta": {"stop_reason": stop, "stop_sequence": None},
                                       "usage": {"output_tokens": turn.output_tokens}})
        yield _event("message_stop", {"type": "message_stop"})


async def _pace(turn: Turn, n: int) -> None:
    """Wait as the turn says before chunk ``n``: a stall, the first-token delay, or the pace."""
    if n == 0:
        await asyncio.sleep(turn.stall_s + turn.first_delay_s)
    elif turn.chunk_delay_s:
        await asyncio.sleep(turn.chunk_delay_s)


def _sse(payload: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()


def _event(name: str, payload: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode()


def _openai_error(status: int, kind: str, message: str, headers: dict[str, str]) -> Response:
    code = {429: "rate_limit_exceeded", 404: "model_not_found", 401: "invalid_api_key"}
    body = {"error": {"message": message, "type": kind, "param": None,
                      "code": code.get(status, kind)}}
    return JSONResponse(body, status_code=status, headers=headers)


def _anthropic_error(status: int, kind: str, message: str, headers: dict[str, str]) -> Response:
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def main() -> None:
    """A standalone provider in its own process (the benchmark: no GIL shared with its client).

    ``python -m tests.e2e.agent.scripted PORT FIRST_DELAY_MS``: every marked question gets a
    short text reply after the delay.
    """
    port, delay_ms = int(sys.argv[1]), float(sys.argv[2])
    provider = ScriptedProvider(say("It is Rayleigh scattering.", first_delay_s=delay_ms / 1000),
                                port=port)
    provider._server.run()


if __name__ == "__main__":
    main()
