"""argon2id password hashes (argon2-cffi), computed off the event loop.

Production uses the library's defaults (RFC 9106 low-memory profile); tests lower the cost with
``ATLAS_AUTH_ARGON2_TIME_COST`` / ``ATLAS_AUTH_ARGON2_MEMORY_KIB`` (refused below OWASP's floor
when ``ATLAS_ENV=production``). An unknown user is checked against a dummy hash of the same cost,
so a sign-in takes as long whether or not the account exists.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    def __init__(self, *, time_cost: int | None = None, memory_kib: int | None = None) -> None:
        options: dict[str, Any] = {}
        if time_cost is not None:
            options["time_cost"] = time_cost
        if memory_kib is not None:
            options["memory_cost"] = memory_kib
        self._hasher = PasswordHasher(**options)
        self._dummy = self._hasher.hash(secrets.token_urlsafe(24))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored``; None (no such user) costs the same and fails."""
        ok = await asyncio.to_thread(self._check, stored or self._dummy, password)
        return ok and stored is not None

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True

    def _check(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
