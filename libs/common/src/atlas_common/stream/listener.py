"""One client's view of a request's stream: ordered, gap-free, fenced, and always terminated."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Final, Protocol

from atlas_common.stream.keys import StreamKeys
from atlas_common.stream_events import ErrorEvent, StreamEvent, is_terminal


class EventSource(Protocol):
    """What a listener needs of the hub: the replay buffer, and whether the stream exists."""

    async def read_buffer(self, request_id: str) -> list[StreamEvent]: ...

    async def stream_exists(self, request_id: str) -> bool: ...


class Heartbeat:
    """Nothing happened for ``idle_s``: a reader may ping its client. One instance,
    :data:`HEARTBEAT`; ``isinstance(item, Heartbeat)`` narrows an item for the type checker."""

    def __repr__(self) -> str:
        return "HEARTBEAT"


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


RESYNC: Final = _Marker("RESYNC")
LOST: Final = _Marker("LOST")
HEARTBEAT: Final = Heartbeat()
QueueItem = StreamEvent | _Marker
#: Items a listener may have waiting; past it they are dropped for one RESYNC (a refill from
#: the replay buffer): a client that reads slower than its answer is written costs a bounded
#: amount, and loses nothing.
MAILBOX_LIMIT = 256


class StreamLost(Exception):
    pass


class Mailbox:
    """What the hub has for one listener: a bounded list and at most one waiter.

    An asyncio.Queue per open stream was four deques and an Event, ~2.4 KB of an idle
    stream's cost (issue 27); a list and a future made only while waiting are ~0.2 KB.
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[QueueItem] = []
        self._waiter: asyncio.Future[None] | None = None

    def put(self, item: QueueItem) -> None:
        if len(self._items) >= MAILBOX_LIMIT:
            self._items = [RESYNC]  # every event it held is in the replay buffer
        else:
            self._items.append(item)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def take(self) -> QueueItem | None:
        return self._items.pop(0) if self._items else None

    async def wait(self) -> QueueItem:
        """The next item, waiting for one (cancel it to give up)."""
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class Listener:
    def __init__(self, source: EventSource, keys: StreamKeys, mailbox: Mailbox) -> None:
        self._source = source
        self.keys = keys
        self._mailbox = mailbox
        self.last_seq = 0
        self.highest_attempt = 0
        #: The last event delivered: after a reconnect the buffer must still hold it as it was.
        self._last: StreamEvent | None = None
        #: The event numbered ``after_seq`` when resuming (its frames' state), else None.
        self.previous: StreamEvent | None = None

    async def events(
        self, after_seq: int = 0, *, deadline: float | None = None, idle_s: float = 15.0
    ) -> AsyncIterator[StreamEvent | Heartbeat]:
        """Events after ``after_seq`` until a terminal one; HEARTBEAT when idle for ``idle_s``."""
        self.last_seq = after_seq
        try:
            for event in await self._catch_up(include_last=after_seq > 0):
                if self._accept(event):
                    yield event
                    if is_terminal(event):
                        return
            async for item in self._follow(deadline, idle_s):
                yield item
        except StreamLost as lost:
            yield self._synthetic("stream_lost", str(lost))

    async def _follow(
        self, deadline: float | None, idle_s: float
    ) -> AsyncIterator[StreamEvent | Heartbeat]:
        while True:
            wait = idle_s if deadline is None else min(idle_s, deadline - time.time())
            if wait <= 0:
                yield self._synthetic("timeout", "The answer was not ready before its deadline")
                return
            try:
                item = await self._next(wait)
            except TimeoutError:
                yield HEARTBEAT
                continue
            for event in await self._resolve(item):
                if self._accept(event):
                    yield event
                    if is_terminal(event):
                        return

    async def _next(self, wait: float) -> QueueItem:
        """The next queued item; TimeoutError after ``wait`` seconds. An event already queued
        is taken at once, and the wait is a timer, not ``wait_for``'s task per call: this
        runs once per event of every stream (issue 23)."""
        item = self._mailbox.take()
        if item is not None:
            return item
        async with asyncio.timeout(wait):
            return await self._mailbox.wait()

    async def _resolve(self, item: QueueItem) -> list[StreamEvent]:
        if item is LOST:
            raise StreamLost("The stream store restarted; this answer's events are gone")
        if item is RESYNC:
            return await self._catch_up(include_last=False, verify=True)
        assert not isinstance(item, _Marker)
        if item.seq <= self.last_seq:
            return []
        if item.seq > self.last_seq + 1:
            return await self._catch_up(include_last=False)
        return [item]

    def _accept(self, event: StreamEvent) -> bool:
        if event.seq <= self.last_seq:
            return False
        self.last_seq = event.seq
        self._last = event
        if event.attempt < self.highest_attempt:
            return False
        self.highest_attempt = event.attempt
        return True

    async def _catch_up(self, *, include_last: bool, verify: bool = False) -> list[StreamEvent]:
        """Events from the buffer after ``last_seq``; StreamLost when some are gone. With
        ``verify`` (after a reconnect) the buffer must still hold the last event delivered: a
        Redis that came back without it may hold a new stream numbered from 1 again."""
        buffered = await self._source.read_buffer(self.keys.request_id)
        start = self.last_seq if include_last else self.last_seq + 1
        if not buffered:
            if self.last_seq > 0 and not await self._source.stream_exists(self.keys.request_id):
                raise StreamLost("The stream's buffer is gone (the stream store restarted)")
            return []
        if buffered[0].seq > max(start, 1):
            raise StreamLost("Events after the given id are no longer in the replay buffer")
        if verify and self._last is not None and buffered[0].seq <= self.last_seq:
            kept = next((e for e in buffered if e.seq == self.last_seq), None)
            if kept != self._last:
                raise StreamLost("The stream store restarted; this answer's events are gone")
        if include_last:
            self.previous = next((e for e in buffered if e.seq == self.last_seq), None)
            if self.previous is not None:
                self.highest_attempt = self.previous.attempt
        return [e for e in buffered if e.seq > self.last_seq]

    def _synthetic(self, code: str, message: str) -> ErrorEvent:
        return ErrorEvent(
            seq=self.last_seq + 1, attempt=max(self.highest_attempt, 1), code=code, message=message
        )
