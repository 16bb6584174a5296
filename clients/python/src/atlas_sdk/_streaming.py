"""Streams of typed events that survive a dropped connection.

When the connection drops mid-answer (reset, proxy timeout, no byte within the read timeout,
or a body that ends before ``[DONE]``), the stream asks
``GET /api/v1/chat/{requestId}/stream`` with ``Last-Event-ID`` set to the last frame it got
and goes on from there. Atlas replays every frame after that id; frames whose ids are not
above the last one seen (the re-sent ``start``) are dropped, so the caller sees each event
exactly once and never learns of the drop. ``resumes`` counts them.

A resume that brings nothing new counts against the client's ``max_retries`` (with backoff);
any new frame resets the count. Past the budget the last connection error is raised. When
Atlas no longer has the run (204 or 404), the stream ends with a ``stream_lost``
:class:`~atlas_sdk.ErrorEvent`, never with a silent gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Iterator
from types import TracebackType
from typing import Self

import httpx

from atlas_sdk._errors import StreamLostError
from atlas_sdk._events import ErrorEvent, FinishEvent, StreamEvent
from atlas_sdk._models import QueryResult, StopResult
from atlas_sdk._protocol import DONE, AnswerBuilder, Frame, FrameDecoder, SSEParser, frame_key
from atlas_sdk._retry import RetryPolicy, connection_error

__all__ = ["AsyncStream", "Stream"]


class _Dropped(Exception):
    """The body ended before ``[DONE]``."""


class _StreamState:
    """What both stream flavours track: ids seen, resume budget, the answer so far."""

    def __init__(self, response: httpx.Response, retry: RetryPolicy) -> None:
        self.response = response
        self.request_id: str = response.headers.get("x-request-id", "")
        self.conversation_id: str | None = response.headers.get("x-conversation-id")
        self.last_event_id: str | None = None
        self.resumes = 0
        self.done = False
        self._retry = retry
        self._last_key: tuple[int, int] | None = None
        self._stalls = 0
        self._decoder = FrameDecoder()
        self._builder = AnswerBuilder(self.request_id, self.conversation_id)

    def _accept(self, frame: Frame) -> list[StreamEvent] | None:
        """Events of a new frame; None for a repeat. ``[DONE]`` marks the stream done."""
        key = frame_key(frame.id)
        if key is not None:
            if self._last_key is not None and key <= self._last_key:
                return None
            self._last_key, self.last_event_id = key, frame.id
        self._stalls = 0
        if frame.data == DONE:
            self.done = True
            return []
        events = self._decoder.decode(frame)
        if self._decoder.message_id and self._decoder.message_id != self.request_id:
            # A resume by chat id: the run's id is the start frame's messageId.
            self.request_id = self._builder.request_id = self._decoder.message_id
        for event in events:
            self._builder.add(event)
        return events

    def _next_delay(self, error: Exception) -> float:
        """The wait before the next resume; raises ``error`` (translated) past the budget."""
        self._stalls += 1
        delay = self._retry.delay(self._stalls)
        if delay is None:
            if isinstance(error, httpx.TransportError):
                raise connection_error(error, str(self.response.request.url)) from error
            raise connection_error(
                httpx.RemoteProtocolError("the stream ended before [DONE]"),
                str(self.response.request.url),
            ) from error
        self.resumes += 1
        return 0.0 if self._stalls == 1 else delay

    def _lost(self) -> list[StreamEvent]:
        error = StreamLostError(
            "The answer's stream was lost and can no longer be resumed",
            code="stream_lost",
            request_id=self.request_id,
            body={"error": "stream_lost", "requestId": self.request_id},
        )
        events: list[StreamEvent] = [ErrorEvent(error), FinishEvent("error")]
        for event in events:
            self._builder.add(event)
        self.done = True
        return events


class Stream(_StreamState):
    """A streamed answer: iterate it for :data:`~atlas_sdk.StreamEvent` s.

    Use it as a context manager (or call :meth:`close`) to release the connection when you
    stop early. ``request_id`` names the run (for :meth:`stop` or a later resume).
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        reopen: Callable[[str, str], httpx.Response | None],
        stop: Callable[[str], StopResult],
        retry: RetryPolicy,
    ) -> None:
        super().__init__(response, retry)
        self._reopen = reopen
        self._stop = stop
        self._events = self._iterate()

    def __iter__(self) -> Iterator[StreamEvent]:
        return self

    def __next__(self) -> StreamEvent:
        return next(self._events)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._events.close()
        self.response.close()

    def stop(self) -> StopResult:
        """Ask Atlas to stop this answer; the stream then ends with ``FinishEvent("stopped")``."""
        return self._stop(self.request_id)

    def final_result(self) -> QueryResult:
        """Read the rest and return the whole answer; raises the error an answer ended with."""
        for _ in self:
            pass
        return self._builder.result()

    def _iterate(self) -> Generator[StreamEvent, None, None]:
        try:
            while not self.done:
                try:
                    yield from self._read()
                except (httpx.TransportError, _Dropped) as exc:
                    self.response.close()
                    time.sleep(self._next_delay(exc))
                    response = self._reopen(self.request_id, self.last_event_id or "0-0")
                    if response is None:
                        yield from self._lost()
                    else:
                        self.response = response
        finally:
            self.response.close()

    def _read(self) -> Generator[StreamEvent, None, None]:
        parser = SSEParser()
        for line in self.response.iter_lines():
            frame = parser.feed(line)
            events = self._accept(frame) if frame is not None else None
            if events:
                yield from events
            if self.done:
                return
        raise _Dropped


class AsyncStream(_StreamState):
    """The async :class:`Stream`: ``async for event in stream``; ``async with`` closes it."""

    def __init__(
        self,
        response: httpx.Response,
        *,
        reopen: Callable[[str, str], Awaitable[httpx.Response | None]],
        stop: Callable[[str], Awaitable[StopResult]],
        retry: RetryPolicy,
    ) -> None:
        super().__init__(response, retry)
        self._reopen = reopen
        self._stop = stop
        self._events = self._iterate()

    def __aiter__(self) -> AsyncIterator[StreamEvent]:
        return self

    async def __anext__(self) -> StreamEvent:
        return await self._events.__anext__()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._events.aclose()
        await self.response.aclose()

    async def stop(self) -> StopResult:
        return await self._stop(self.request_id)

    async def final_result(self) -> QueryResult:
        async for _ in self:
            pass
        return self._builder.result()

    async def _iterate(self) -> AsyncGenerator[StreamEvent, None]:
        try:
            while not self.done:
                try:
                    async with contextlib.aclosing(self._read()) as events:
                        async for event in events:
                            yield event
                except (httpx.TransportError, _Dropped) as exc:
                    await self.response.aclose()
                    await asyncio.sleep(self._next_delay(exc))
                    response = await self._reopen(self.request_id, self.last_event_id or "0-0")
                    if response is None:
                        for event in self._lost():
                            yield event
                    else:
                        self.response = response
        finally:
            await self.response.aclose()

    async def _read(self) -> AsyncGenerator[StreamEvent, None]:
        parser = SSEParser()
        async for line in self.response.aiter_lines():
            frame = parser.feed(line)
            events = self._accept(frame) if frame is not None else None
            for event in events or ():
                yield event
            if self.done:
                return
        raise _Dropped
