"""A lean SSE client for many concurrent streams: raw asyncio sockets, HTTP/1.1, chunked.

httpx holds a pool, a response object and several buffers per stream and parses every line;
2,000 of them in the bench's own process would compete with the gateway for the two cores. This
client writes one request, reads the status and headers, times the first ``data:`` frame and
then only reads chunks until the last one (``[DONE]`` seen or not).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Outcome:
    status: int = 0
    code: str = ""  # the error envelope's code of a refusal
    connect_s: float = 0.0
    first_frame_s: float | None = None  # request sent -> first data frame
    ended_s: float | None = None
    done: bool = False  # the stream ended with [DONE]
    error: str = ""  # a socket error or a stream cut short


def chat_request(host: str, port: int, question: str) -> bytes:
    body = json.dumps(
        {"messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": question}]}]}
    ).encode()
    head = (
        f"POST /api/v1/chat HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Accept: text/event-stream\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def open_stream(
    host: str, port: int, request: bytes, on_first: Callable[[], None] | None = None
) -> Outcome:
    """One chat stream to its end. ``on_first`` runs when the first frame (or a
    refusal) arrives, so the caller knows when the whole burst is in."""
    out = Outcome()
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    except OSError as exc:
        out.error = f"connect: {type(exc).__name__}"
        _call(on_first)
        return out
    out.connect_s = time.monotonic() - started
    try:
        writer.write(request)
        await _read(reader, out, started, on_first)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        out.error = out.error or f"read: {type(exc).__name__}"
        if out.first_frame_s is None:
            _call(on_first)
    finally:
        writer.close()
    out.ended_s = time.monotonic() - started
    return out


async def _read(
    reader: asyncio.StreamReader, out: Outcome, started: float, on_first: Callable[[], None] | None
) -> None:
    status_line = await reader.readline()
    out.status = int(status_line.split()[1])
    headers: dict[bytes, bytes] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if out.status != 200:
        length = int(headers.get(b"content-length", b"0"))
        body = await reader.readexactly(length) if length else await reader.read()
        try:
            out.code = str(json.loads(body)["error"])  # the envelope: {"error": code, ...}
        except (ValueError, KeyError, TypeError):
            out.code = f"? {body[:60]!r}"
        _call(on_first)
        return
    await _chunks(reader, out, started, on_first)


async def _chunks(
    reader: asyncio.StreamReader, out: Outcome, started: float, on_first: Callable[[], None] | None
) -> None:
    tail = b""
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        data = await reader.readexactly(size + 2)
        if size == 0:
            break
        if out.first_frame_s is None and b"data:" in data:
            out.first_frame_s = time.monotonic() - started
            _call(on_first)
        tail = (tail + data)[-64:]
    out.done = b"[DONE]" in tail
    if not out.done:
        out.error = "stream ended without [DONE]"


def _call(callback: Callable[[], None] | None) -> None:
    if callback is not None:
        callback()
