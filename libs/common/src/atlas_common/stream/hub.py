"""The gateway's side of streams: one pub/sub connection per replica, fanned out to listeners.

A listener subscribes (and waits for Redis to confirm) before the job is published, reads the
replay buffer to catch up, and from then on takes events from the channel. Accepted events are
numbered without gaps, so a missing number means a lost message: the listener refills from the
buffer, and when the buffer no longer holds it the stream ends with ``stream_lost``.

Joining and leaving send nothing themselves: the hub's own task sends every SUBSCRIBE and
UNSUBSCRIBE, in batches: the channels asked for while it was sending go out together in its
next command, so a burst of new streams costs a few round trips, not one each in turn behind a
lock (issue 27: 1,000 streams opened at once waited up to 12 s for their turn). A listener
waits for Redis to confirm its channel; leaving never waits: a listener's exit only drops its
queue. An exit runs in the ``finally`` of a stream whose client hung up, where every
await is cancelled again (Starlette cancels the response's task group); an exit that waited
for the subscribe lock or for Redis was cut short there, and left the channel subscribed for
good (issue 22's soak).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from atlas_common.stream.keys import StreamKeys
from atlas_common.stream.listener import RESYNC, Listener, Mailbox
from atlas_common.stream_events import StreamEvent, parse_event

log = logging.getLogger(__name__)


class StreamHub:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._pubsub: PubSub | None = None
        self._queues: dict[str, set[Mailbox]] = defaultdict(set)
        #: A channel's first listener waits on it until Redis confirms its SUBSCRIBE.
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._task: asyncio.Task[None] | None = None
        #: Held while the hub's task sends: orders SUBSCRIBE and UNSUBSCRIBE of a channel.
        self._subscribe_lock = asyncio.Lock()
        #: Channels wanted whose SUBSCRIBE is not sent yet (an ordered set).
        self._to_subscribe: dict[str, None] = {}
        #: SUBSCRIBEs sent per channel that Redis has not confirmed yet.
        self._unconfirmed: dict[str, int] = defaultdict(int)
        #: Channels maybe subscribed in Redis that no listener wants: the task unsubscribes.
        self._unwanted: set[str] = set()
        #: Channels let go of whose UNSUBSCRIBE Redis has not confirmed yet.
        self._releasing: dict[str, asyncio.Future[None]] = {}
        self._wake = asyncio.Event()
        self._syncer: asyncio.Task[None] | None = None
        self._server_run_id: str | None = None
        self._reconnected = False

    async def start(self) -> None:
        self._pubsub = self.redis.pubsub()
        await self._pubsub.subscribe(f"{self.prefix}hub")
        # A reconnect the client's retry hid (no error reached get_message) still missed the
        # messages published meanwhile: every (re)connect of the subscription is noted.
        assert self._pubsub.connection is not None
        self._pubsub.connection.register_connect_callback(self._note_reconnect)
        self._server_run_id = await self._run_id()
        self._task = asyncio.create_task(self._read_forever(), name="stream-hub")
        self._syncer = asyncio.create_task(self._sync_forever(), name="stream-hub-subscriptions")

    async def stop(self) -> None:
        for task in (self._task, self._syncer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._pubsub is not None:
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]

    @contextlib.asynccontextmanager
    async def listen(self, request_id: str, *, timeout: float = 5.0) -> AsyncIterator[Listener]:
        """Subscribe to a request's channel (confirmed by Redis) for the life of the block."""
        keys = StreamKeys(self.prefix, request_id)
        queue = Mailbox()
        await self._subscribe(keys.channel, queue, timeout)
        try:
            yield Listener(self, keys, queue)
        finally:
            self._leave(keys.channel, queue)  # never awaits: see the module's docstring

    async def read_buffer(self, request_id: str) -> list[StreamEvent]:
        raw = await self.redis.lrange(StreamKeys(self.prefix, request_id).buffer, 0, -1)
        return [e for e in (_parse(r) for r in raw) if e is not None]

    async def stream_exists(self, request_id: str) -> bool:
        """Whether the stream's sequence counter exists (it is gone after a store restart)."""
        return bool(await self.redis.exists(StreamKeys(self.prefix, request_id).seq))

    async def listener_count(self, request_id: str, *, timeout: float = 5.0) -> int:
        """Listeners on the request's channel across every replica (PUBSUB NUMSUB), once this
        replica's own letting go of it is confirmed (else it would count a client gone)."""
        channel = StreamKeys(self.prefix, request_id).channel
        releasing = self._releasing.get(channel)
        if releasing is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(releasing), timeout)
        counts = await self.redis.pubsub_numsub(channel)
        return int(counts[0][1]) if counts else 0

    async def _subscribe(
        self, channel: str, queue: Mailbox, timeout: float
    ) -> None:
        """Join the channel's listeners and wait until Redis confirms the channel (the first
        listener has the hub's task subscribe it)."""
        assert self._pubsub is not None, "StreamHub.start() was not called"
        if not self._queues.get(channel):
            # Wanted again before the task let go: SUBSCRIBE anyway (Redis confirms a repeat).
            self._unwanted.discard(channel)
            _settle(self._releasing.pop(channel, None))
            self._confirmations[channel] = asyncio.get_running_loop().create_future()
            self._to_subscribe[channel] = None
            self._wake.set()
        self._queues[channel].add(queue)
        confirmed = self._confirmations.get(channel)
        if confirmed is None:  # an earlier listener's subscription is confirmed
            return
        try:
            async with asyncio.timeout(timeout):
                await asyncio.shield(confirmed)
        except BaseException:
            self._leave(channel, queue)  # the SUBSCRIBE may have reached Redis
            raise

    def _leave(self, channel: str, queue: Mailbox) -> None:
        """Drop a listener; its channel's last one hands the channel to the hub's task."""
        listeners = self._queues.get(channel)
        if listeners is None:
            return
        listeners.discard(queue)
        if not listeners:
            del self._queues[channel]
            self._to_subscribe.pop(channel, None)
            self._confirmations.pop(channel, None)
            self._unwanted.add(channel)
            if channel not in self._releasing:
                self._releasing[channel] = asyncio.get_running_loop().create_future()
            self._wake.set()

    async def _sync_forever(self) -> None:
        """Send what listeners joining and leaving asked for; a failed UNSUBSCRIBE is retried."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            async with self._subscribe_lock:
                unsubscribed = await self._unsubscribe_unwanted()
                await self._subscribe_wanted()
            if not unsubscribed:
                await asyncio.sleep(0.5)  # Redis is away: try again soon, not in a hot loop
                self._wake.set()

    async def _unsubscribe_unwanted(self) -> bool:
        assert self._pubsub is not None
        idle = [c for c in self._unwanted if not self._queues.get(c)]
        self._unwanted.clear()
        if not idle:
            return True
        try:
            await self._pubsub.unsubscribe(*idle)
        except (RedisError, OSError) as exc:
            log.warning("stream hub could not unsubscribe: %r", exc)
            self._unwanted.update(idle)
            return False
        return True

    async def _subscribe_wanted(self) -> None:
        """One SUBSCRIBE for every channel waiting; a failure fails their listeners' waits
        (each leaves, and a SUBSCRIBE that reached Redis is undone by the next round)."""
        assert self._pubsub is not None
        batch, self._to_subscribe = list(self._to_subscribe), {}
        if not batch:
            return
        for channel in batch:
            self._unconfirmed[channel] += 1
        try:
            await self._pubsub.subscribe(*batch)
        except (RedisError, OSError) as exc:
            log.warning("stream hub could not subscribe: %r", exc)
            for channel in batch:
                self._unconfirmed.pop(channel, None)
                _fail(self._confirmations.pop(channel, None), exc)

    async def _read_forever(self) -> None:
        assert self._pubsub is not None
        broken = False
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except (RedisError, OSError) as exc:
                if not broken:
                    log.warning("stream hub lost Redis: %r", exc)
                broken = True
                await asyncio.sleep(0.2)
                continue
            if broken or self._reconnected:
                broken = self._reconnected = False
                await self._after_reconnect()
            if message is not None:
                self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        channel = _text(message.get("channel"))
        kind = message.get("type")
        if kind == "subscribe":
            self._confirmed(channel)
        elif kind == "unsubscribe":
            _settle(self._releasing.pop(channel, None))
        elif kind == "message":
            event = _parse(message.get("data"))
            if event is not None:
                for queue in tuple(self._queues.get(channel, ())):
                    queue.put(event)

    def _confirmed(self, channel: str) -> None:
        """A SUBSCRIBE of the channel confirmed: its listeners may go on once every one sent
        is (an earlier one's reply must not pass for the SUBSCRIBE not yet sent or answered)."""
        left = max(0, self._unconfirmed.pop(channel, 0) - 1)
        if left:
            self._unconfirmed[channel] = left
        elif channel not in self._to_subscribe:
            _settle(self._confirmations.pop(channel, None))

    def _note_reconnect(self, _connection: object) -> None:
        self._reconnected = True  # no command here: it runs inside the connection's connect
        # Replies of the old connection are lost; redis-py resubscribes every channel asked
        # for, and each of those replies confirms its channel.
        self._unconfirmed.clear()

    async def _run_id(self) -> str | None:
        try:
            info = await self.redis.info("server")
        except (RedisError, OSError):
            return None
        return str(info.get("run_id"))

    async def _after_reconnect(self) -> None:
        """Refill every listener from its buffer. A restarted Redis may have kept its data (a
        clean restart saves and reloads it) or not: each listener checks that its buffer still
        holds the events it has delivered, and says stream_lost when it does not."""
        run_id = await self._run_id()
        restarted = run_id != self._server_run_id
        self._server_run_id = run_id
        log.warning("stream hub reconnected", extra={"redis_restarted": restarted})
        self._forget_resubscribed()
        for queues in self._queues.values():
            for queue in queues:
                queue.put(RESYNC)

    def _forget_resubscribed(self) -> None:
        """redis-py resubscribes, on reconnect, every channel whose UNSUBSCRIBE it has not seen
        confirmed: the hub's task lets go of those again."""
        assert self._pubsub is not None
        hub_channel = f"{self.prefix}hub"
        for raw in tuple(self._pubsub.channels):
            channel = _text(raw)
            if channel != hub_channel and not self._queues.get(channel):
                self._unwanted.add(channel)
        self._wake.set()


def _settle(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


def _fail(future: asyncio.Future[None] | None, exc: Exception) -> None:
    if future is not None and not future.done():
        future.set_exception(exc)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _parse(raw: object) -> StreamEvent | None:
    if not isinstance(raw, bytes | str):
        return None
    try:
        return parse_event(raw)
    except ValidationError:
        log.error("malformed stream event dropped")
        return None
