"""The worker's side of a stream: stamp, fence, buffer and publish events atomically.

One Lua script per event: it refuses events of an attempt lower than the highest seen (a worker
cut off from the broker cannot interleave with the new attempt), refuses anything after a
terminal event, assigns ``seq`` with INCR (so accepted events are numbered 1, 2, 3... with no
gap), appends to the capped, expiring replay buffer and publishes, all in one step.

Retention: every key of a run expires ``ttl_s`` (ATLAS_STREAM_REPLAY_TTL_S) after its latest
event while it runs; the terminal event shortens all of them (the gateway's run owner and a
cancel flag included) to ``finished_ttl_s`` (ATLAS_STREAM_FINISHED_TTL_S): a finished answer
only serves a late replay or resume, and its buffer is most of a run's memory.
"""

from __future__ import annotations

from redis.asyncio import Redis

from atlas_common.stream.keys import StreamKeys, cancel_channel
from atlas_common.stream_events import StreamEvent, is_terminal

_EMIT = """
local attempt = tonumber(ARGV[1])
local ttl = tonumber(ARGV[3])
local highest = tonumber(redis.call('GET', KEYS[2]) or '0')
if attempt < highest then return -1 end
if redis.call('EXISTS', KEYS[4]) == 1 then return -2 end
if attempt > highest then redis.call('SET', KEYS[2], attempt, 'EX', ttl) end
local seq = redis.call('INCR', KEYS[1])
local entry = '{"seq":' .. seq .. ',' .. string.sub(ARGV[2], 2)
redis.call('RPUSH', KEYS[3], entry)
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
if ARGV[6] == '1' then
  local done = tonumber(ARGV[7])
  redis.call('SET', KEYS[4], seq, 'EX', done)
  for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[5], KEYS[6]}) do
    redis.call('EXPIRE', key, done)
  end
else
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[3], ttl)
end
redis.call('PUBLISH', ARGV[5], entry)
return seq
"""


class StreamClosed(RuntimeError):
    """The event was refused: a newer attempt owns the stream, or it already ended."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    ) -> None:
        self.keys = StreamKeys(prefix, request_id)
        self.attempt = attempt
        self._redis = redis
        self._ttl = ttl_s
        self._finished_ttl = min(ttl_s, finished_ttl_s or ttl_s)
        self._max = max_events
        self._script = redis.register_script(_EMIT)

    async def emit(self, event: StreamEvent) -> int:
        """Publish one event; returns its seq or raises :class:`StreamClosed`."""
        body = event.model_copy(update={"attempt": self.attempt}).model_dump_json(exclude={"seq"})
        k = self.keys
        seq = int(
            await self._script(
                keys=[k.seq, k.attempt, k.buffer, k.terminal, k.cancel, k.owner],
                args=[
                    self.attempt,
                    body,
                    self._ttl,
                    self._max,
                    k.channel,
                    "1" if is_terminal(event) else "0",
                    self._finished_ttl,
                ],
            )
        )
        if seq == -1:
            raise StreamClosed("fenced: a newer attempt owns this stream")
        if seq == -2:
            raise StreamClosed("the stream has already ended")
        return seq

    async def cancelled(self) -> bool:
        return bool(await self._redis.exists(self.keys.cancel))

    async def has_ended(self) -> bool:
        return bool(await self._redis.exists(self.keys.terminal))


async def request_cancel(redis: Redis, prefix: str, request_id: str, ttl_s: int) -> None:
    """Ask whichever worker holds the request to stop (and any later attempt not to start)."""
    keys = StreamKeys(prefix, request_id)
    await redis.set(keys.cancel, "1", ex=ttl_s)
    await redis.publish(cancel_channel(prefix), request_id)
