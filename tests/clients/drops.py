"""Dropped connections, made on purpose inside the SDK's own httpx client.

``CutStreams`` is an httpx transport over the real one: the first ``cuts`` event-stream
responses lose their connection after ``frames`` whole frames, in the middle of the next
frame (half of it arrives, then the peer "closes"). Nothing is mocked: every byte comes from
the running gateway; only the end of the body is cut short, as a proxy or a flaky network
would. The SDK must resume with ``Last-Event-ID`` and hand the caller every event once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx

from tests.support.sse import parse_sse


class _CutSync(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, frames: int) -> None:
        self.inner, self.frames = inner, frames

    def __iter__(self) -> Iterator[bytes]:
        cutter = _Cutter(self.frames)
        for chunk in self.inner:
            yield from cutter.feed(chunk)
        yield cutter.rest()

    def close(self) -> None:
        self.inner.close()


class _CutAsync(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, frames: int) -> None:
        self.inner, self.frames = inner, frames

    async def __aiter__(self) -> AsyncIterator[bytes]:
        cutter = _Cutter(self.frames)
        async for chunk in self.inner:
            for piece in cutter.feed(chunk):
                yield piece
        yield cutter.rest()

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Cutter:
    """Pass ``frames`` whole frames, then half of the next one, then raise."""

    def __init__(self, frames: int) -> None:
        self.frames, self.seen, self.buffer = frames, 0, b""

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        self.buffer += chunk
        while (end := self.buffer.find(b"\n\n")) >= 0:
            frame, self.buffer = self.buffer[: end + 2], self.buffer[end + 2 :]
            if self.seen == self.frames:
                yield frame[: len(frame) // 2]
                raise httpx.RemoteProtocolError("peer closed connection (cut by the test)")
            self.seen += 1
            yield frame

    def rest(self) -> bytes:
        return self.buffer


def _is_stream(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith("text/event-stream")


class CutStreams(httpx.BaseTransport):
    def __init__(self, frames: int, cuts: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.frames, self.cuts_left = frames, cuts
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = self.inner.handle_request(request)
        if self.cuts_left <= 0 or not _is_stream(response):
            return response
        self.cuts_left -= 1
        assert isinstance(response.stream, httpx.SyncByteStream)
        stream = _CutSync(response.stream, self.frames)
        return httpx.Response(response.status_code, headers=response.headers, stream=stream)

    def close(self) -> None:
        self.inner.close()


class AsyncCutStreams(httpx.AsyncBaseTransport):
    def __init__(self, frames: int, cuts: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.frames, self.cuts_left = frames, cuts
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        if self.cuts_left <= 0 or not _is_stream(response):
            return response
        self.cuts_left -= 1
        assert isinstance(response.stream, httpx.AsyncByteStream)
        stream = _CutAsync(response.stream, self.frames)
        return httpx.Response(response.status_code, headers=response.headers, stream=stream)

    async def aclose(self) -> None:
        await self.inner.aclose()


def replayed_deltas(gateway: str, request_id: str) -> list[str]:
    """Every text delta of a finished run, replayed by the gateway from its buffer."""
    url = f"{gateway}/api/v1/chat/{request_id}/stream"
    with httpx.stream("GET", url, headers={"last-event-id": "0-0"}, timeout=30) as r:
        assert r.status_code == 200, r.status_code
        frames = list(parse_sse(r.iter_lines()))
    assert frames[-1].data == "[DONE]"
    return [f.json["delta"] for f in frames if f.type == "text-delta"]
