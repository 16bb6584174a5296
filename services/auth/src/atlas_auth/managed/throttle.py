"""Sign-in throttling in Redis: fixed windows per account and per address.

Each attempt is counted before the password is checked (so a burst cannot slip between check
and count); a successful sign-in clears its account's counter. Keys live under
``ATLAS_REDIS_PREFIX`` + ``auth:throttle:``; accounts are keyed by a hash of the email, never the
email itself. If Redis is down, sign-in fails closed (503).
"""

from __future__ import annotations

import contextlib
import hashlib

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atlas_auth.errors import RateLimited
from atlas_common.errors import Unavailable


class Throttle:
    def __init__(self, redis: Redis, prefix: str, *, per_account: int, per_address: int,
                 window_s: int) -> None:
        self._redis = redis
        self._prefix = prefix + "auth:throttle:"
        self._per_account = per_account
        self._per_address = per_address
        self._window_s = window_s

    def _account_key(self, email: str) -> str:
        return self._prefix + "account:" + hashlib.sha256(email.encode()).hexdigest()[:40]

    def _address_key(self, action: str, address: str | None) -> str:
        return f"{self._prefix}{action}:address:{address or 'unknown'}"

    async def sign_in_attempt(self, email: str, address: str | None) -> None:
        """Count one attempt; RateLimited (429) when the account or the address is over."""
        await self._hit(self._address_key("sign-in", address), self._per_address)
        await self._hit(self._account_key(email), self._per_account)

    async def sign_up_attempt(self, address: str | None) -> None:
        await self._hit(self._address_key("sign-up", address), self._per_address)

    async def succeeded(self, email: str) -> None:
        with contextlib.suppress(RedisError):  # else the counter expires by itself
            await self._redis.delete(self._account_key(email))

    async def _hit(self, key: str, limit: int) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(key, 0, ex=self._window_s, nx=True)
                pipe.incr(key)
                pipe.ttl(key)
                _, count, ttl = await pipe.execute()
        except RedisError:
            raise Unavailable("Sign-in is unavailable (throttle store down)",
                              retry_after=5) from None
        if int(count) > limit:
            raise RateLimited("Too many sign-in attempts; try again later",
                              retry_after=int(ttl) if int(ttl) > 0 else self._window_s)
