"""The seam through which stored API keys (``atlas_sk_...``, owned by the keys service) are
verified in managed and byot modes.

:class:`atlas_auth.stored_keys_http.HttpStoredKeyVerifier` asks the keys service (at
``ATLAS_KEYS_URL``) about a key and returns the key's principal (its workspace, its role capped
at its creator's, ``credential_id`` = key id, ``expires_at`` = key expiry); the wiring plugs it
in for managed and byot modes. :class:`RefusingStoredKeyVerifier` refuses every stored key: the
other modes use it, so nothing is accepted by accident.
"""

from __future__ import annotations

from typing import Protocol

from atlas_auth.errors import AuthFailed
from atlas_common.principal import Principal

STORED_KEY_PREFIX = "atlas_sk_"


def is_stored_key(value: str) -> bool:
    return value.startswith(STORED_KEY_PREFIX)


class StoredKeyVerifier(Protocol):
    async def verify(self, key: str) -> Principal:
        """The key's principal; raise AuthFailed for an unknown, revoked or expired key."""
        ...

    async def aclose(self) -> None: ...


class RefusingStoredKeyVerifier:
    """The default: no stored keys are accepted."""

    async def verify(self, key: str) -> Principal:
        raise AuthFailed()

    async def aclose(self) -> None:
        return None
