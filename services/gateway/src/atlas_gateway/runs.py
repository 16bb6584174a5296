"""Who owns a run, and which run is a chat's latest: small Redis records for resume and stop."""

from __future__ import annotations

import json
from typing import Literal

from redis.asyncio import Redis

from atlas_common.principal import Principal
from atlas_common.stream import StreamKeys, chat_latest_key
from atlas_gateway.settings import GatewaySettings


class RunRegistry:
    def __init__(self, redis: Redis, settings: GatewaySettings) -> None:
        self._redis = redis
        self._prefix = settings.redis_prefix
        self._ttl = settings.stream_replay_ttl_s

    def _owner_key(self, request_id: str) -> str:
        # One name with the stream's keys: the terminal event shortens its TTL with theirs.
        return StreamKeys(self._prefix, request_id).owner

    async def register(self, request_id: str, principal: Principal, *chat_ids: str) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.set(self._owner_key(request_id), _owner(principal), ex=self._ttl)
            for chat_id in chat_ids:
                pipe.set(chat_latest_key(self._prefix, chat_id), request_id, ex=self._ttl)
            await pipe.execute()

    async def resolve(self, run_or_chat_id: str, principal: Principal) -> str | None:
        """The request id behind a request / chat / conversation id, if the caller owns it."""
        latest = await self._redis.get(chat_latest_key(self._prefix, run_or_chat_id))
        request_id = _text(latest) if latest else run_or_chat_id
        owner = await self._redis.get(self._owner_key(request_id))
        if owner is None or _text(owner) != _owner(principal):
            return None
        return request_id

    async def has_ended(self, request_id: str) -> bool:
        return bool(await self._redis.exists(StreamKeys(self._prefix, request_id).terminal))

    async def status(self, request_id: str) -> Literal["running", "done", "failed"]:
        """A run with no terminal event yet is running (queued counts); after it, the last
        buffered event says how it ended."""
        keys = StreamKeys(self._prefix, request_id)
        if not await self._redis.exists(keys.terminal):
            return "running"
        last = await self._redis.lindex(keys.buffer, -1)
        try:
            ended_with = json.loads(last)["type"] if last else "done"
        except (ValueError, KeyError, TypeError):
            ended_with = "done"
        return "failed" if ended_with == "error" else "done"


def _owner(principal: Principal) -> str:
    return f"{principal.workspace_id}/{principal.user_id}"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
