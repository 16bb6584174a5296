"""simple-key mode: one shared key from ``ATLAS_API_KEY``.

Both sides are hashed with SHA-256 before a constant-time comparison, so neither the time nor
the length of the key leaks. The user id is ``api-key-`` + the first 8 hex digits of the key's
SHA-256; the credential id is a longer hash of the same key (stable, never the key itself).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from atlas_auth.errors import AuthFailed
from atlas_common.principal import Principal, Role


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


class SimpleKeyVerifier:
    def __init__(self, key: str, role: Role, claims: dict[str, Any]) -> None:
        digest = _digest(key)
        self._digest = digest
        self._principal = Principal(
            user_id="api-key-" + digest.hex()[:8],
            workspace_id="default",
            role=role,
            claims=claims,
            auth_mode="simple-key",
            credential_id="simple-key-" + hashlib.sha256(b"atlas-credential:" + digest)
            .hexdigest()[:24],
            expires_at=None,
        )

    def verify(self, presented_key: str) -> Principal:
        if not hmac.compare_digest(self._digest, _digest(presented_key)):
            raise AuthFailed()
        return self._principal
