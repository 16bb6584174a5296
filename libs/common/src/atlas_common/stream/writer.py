"""The worker's side of a stream: stamp, fence, buffer and publish events atomically.

One Lua script per write: it refuses events of an attempt lower than the highest seen (a worker
cut off from the broker cannot interleave with the new attempt), refuses anything after a
terminal event, assigns ``seq`` with INCR (so accepted events are numbered 1, 2, 3... with no
gap), appends to the capped, expiring replay buffer and publishes, all in one step. A write
carries one event (``emit``) or several produced together (``emit_many``: a narrative's
tokens, usage and done): one Redis round trip for all of them, each still its own seq, buffer
entry and published message, so readers see no difference (issue 23: a round trip per event
was a fifth of the worker's CPU).

Retention: every key of a run expires ``ttl_s`` (ATLAS_STREAM_REPLAY_TTL_S) after its latest
event while it runs; the terminal event shortens all of them (the gateway's run owner and a
cancel flag included) to ``finished_ttl_s`` (ATLAS_STREAM_FINISHED_TTL_S): a finished answer
only serves a late replay or resume, and its buffer is most of a run's memory.

Redis outages: a write that fails on the connection is tried again for up to ``write_retry_s``
(ATLAS_STREAM_WRITE_RETRY_S; :mod:`atlas_common.stream.outage`), so a Redis restart that kept
its data is ridden out and the answer goes on. A retry keeps the guarantees: writes of one writer
go one at a time (a later event never overtakes a retried one); each carries the writer's id and
write number, and a write whose reply was lost after Redis ran it returns the seq it already got
rather than appending again (``keys.writes``); and a writer that has written before refuses to
go on in a stream whose counter is gone or went back (Redis came back without its data): the
rest of its answer would be numbered as if nothing had been lost (:class:`StreamStoreLost`).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atlas_common.metrics import stream_written
from atlas_common.stream.keys import StreamKeys, cancel_channel
from atlas_common.stream.outage import ride_out
from atlas_common.stream_events import StreamEvent, is_terminal

# KEYS: seq, attempt, buffer, terminal, cancel, owner, writes. ARGV: attempt, ttl, max,
# channel, terminal flag (of the last event), finished ttl, writer id, write number, the
# writer's latest seq, then one body per event. Returns the last event's seq (a batch's seqs
# are consecutive: the script runs atomically), or -1 fenced, -2 ended, -3 store lost.
_EMIT = """
local done = redis.call('HGET', KEYS[7], ARGV[7])
if done then
  local sep = string.find(done, ' ', 1, true)
  if string.sub(done, 1, sep - 1) == ARGV[8] then return tonumber(string.sub(done, sep + 1)) end
end
local attempt = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local highest = tonumber(redis.call('GET', KEYS[2]) or '0')
if attempt < highest then return -1 end
if redis.call('EXISTS', KEYS[4]) == 1 then return -2 end
if tonumber(ARGV[9]) > tonumber(redis.call('GET', KEYS[1]) or '0') then return -3 end
if attempt > highest then redis.call('SET', KEYS[2], attempt, 'EX', ttl) end
local seq = 0
for i = 10, #ARGV do
  seq = redis.call('INCR', KEYS[1])
  local entry = '{"seq":' .. seq .. ',' .. string.sub(ARGV[i], 2)
  redis.call('RPUSH', KEYS[3], entry)
  redis.call('PUBLISH', ARGV[4], entry)
end
redis.call('HSET', KEYS[7], ARGV[7], ARGV[8] .. ' ' .. seq)
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[3]), -1)
if ARGV[5] == '1' then
  local finished = tonumber(ARGV[6])
  redis.call('SET', KEYS[4], seq, 'EX', finished)
  for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[5], KEYS[6], KEYS[7]}) do
    redis.call('EXPIRE', key, finished)
  end
else
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[3], ttl)
  redis.call('EXPIRE', KEYS[7], ttl)
end
return seq
"""


class StreamClosed(RuntimeError):
    """The event was refused: a newer attempt owns the stream, or it already ended."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StreamStoreLost(RedisError):
    """Redis came back without this stream (or with an older copy of it): the events written
    so far are gone. A RedisError, so a job fails or requeues as when Redis is down."""


class StreamWriter:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        request_id: str,
        attempt: int,
        *,
        ttl_s: int,
        max_events: int,
        finished_ttl_s: int | None = None,
        write_retry_s: float = 0.0,
    ) -> None:
        self.keys = StreamKeys(prefix, request_id)
        self.attempt = attempt
        self._redis = redis
        self._ttl = ttl_s
        self._finished_ttl = min(ttl_s, finished_ttl_s or ttl_s)
        self._max = max_events
        self._retry_s = write_retry_s
        self._script = redis.register_script(_EMIT)
        self._id = uuid.uuid4().hex[:16]  # this writer's writes, told apart from any other's
        self._writes = 0
        self._last_seq = 0
        self._lock = asyncio.Lock()
        self._started = time.monotonic()  # the job's start: its duration when the stream ends

    async def emit(self, event: StreamEvent) -> int:
        """Publish one event; returns its seq or raises :class:`StreamClosed`."""
        return (await self.emit_many([event]))[-1]

    async def emit_many(self, events: Sequence[StreamEvent]) -> list[int]:
        """Publish events produced together in one write; returns their seqs. All or none are
        accepted; only the last may end the stream."""
        if not events:
            return []
        if any(is_terminal(e) for e in events[:-1]):
            raise ValueError("only the last event of a write may end the stream")
        bodies = [self._body(e) for e in events]
        async with self._lock:
            self._writes += 1
            last = await self._append_many(bodies, self._writes, terminal=is_terminal(events[-1]))
            _check(last)
            self._last_seq = last
        stream_written(events, self._started)
        return list(range(last - len(bodies) + 1, last + 1))

    def _body(self, event: StreamEvent) -> str:
        return event.model_copy(update={"attempt": self.attempt}).model_dump_json(exclude={"seq"})

    async def _append(self, body: str, write: int, *, terminal: bool) -> int:
        return await self._append_many([body], write, terminal=terminal)

    async def _append_many(self, bodies: list[str], write: int, *, terminal: bool) -> int:
        """One write, retried through a short outage; the same ``write`` is never applied twice."""
        k = self.keys
        args: list[str | int] = [
            self.attempt, self._ttl, self._max, k.channel, "1" if terminal else "0",
            self._finished_ttl, self._id, write, self._last_seq, *bodies,
        ]

        async def call() -> int:
            keys = [k.seq, k.attempt, k.buffer, k.terminal, k.cancel, k.owner, k.writes]
            return int(await self._script(keys=keys, args=args))

        return await ride_out(call, self._retry_s, "stream write")

    async def precheck(self) -> tuple[bool, bool]:
        """(ended, cancelled) in one round trip: a job's checks before it starts."""
        ended, cancel = await ride_out(
            lambda: self._redis.mget([self.keys.terminal, self.keys.cancel]),
            self._retry_s, "stream pre-check")
        return ended is not None, cancel is not None

    async def cancelled(self) -> bool:
        return bool(await ride_out(lambda: self._redis.exists(self.keys.cancel),
                                   self._retry_s, "stream cancel check"))

    async def has_ended(self) -> bool:
        return bool(await ride_out(lambda: self._redis.exists(self.keys.terminal),
                                   self._retry_s, "stream end check"))


def _check(seq: int) -> None:
    if seq == -1:
        raise StreamClosed("fenced: a newer attempt owns this stream")
    if seq == -2:
        raise StreamClosed("the stream has already ended")
    if seq == -3:
        raise StreamStoreLost("the stream's events are gone (Redis lost its data)")


async def request_cancel(redis: Redis, prefix: str, request_id: str, ttl_s: int) -> None:
    """Ask whichever worker holds the request to stop (and any later attempt not to start)."""
    keys = StreamKeys(prefix, request_id)
    await redis.set(keys.cancel, "1", ex=ttl_s)
    await redis.publish(cancel_channel(prefix), request_id)
