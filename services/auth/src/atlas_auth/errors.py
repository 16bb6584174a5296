"""The auth service's errors, all in the common envelope (see :mod:`atlas_common.errors`).

Exceptions::

    AtlasError (atlas_common; AuthFailed, Forbidden, ForbiddenRole, RateLimited are its own)
    ├── AuthFailed        401 auth_error      (+ WWW-Authenticate: Bearer)
    ├── SessionExpired    401 session_expired (+ WWW-Authenticate: Bearer)
    ├── Forbidden         403 forbidden       (CSRF: Origin does not match)
    ├── ForbiddenRole     403 forbidden_role
    ├── RateLimited       429 rate_limited    (+ retryAfterSeconds, Retry-After)
    └── ManagedOnly       404 not_found       (a managed-mode route in another mode)

Messages never say which part of a credential was wrong: "invalid credential" is all a caller
learns, so they cannot probe keys, users or token checks one at a time.
"""

from __future__ import annotations

from atlas_common.errors import (  # shared by every service; re-exported for auth's modules
    AtlasError,
    AuthFailed,
    Forbidden,
    ForbiddenRole,
    RateLimited,
)

_BEARER = {"WWW-Authenticate": "Bearer"}


class SessionExpired(AtlasError):
    status_code = 401
    code = "session_expired"

    def __init__(self, message: str = "The session has expired; sign in again") -> None:
        super().__init__(message, headers=dict(_BEARER))


class ManagedOnly(AtlasError):
    status_code = 404
    code = "not_found"

    def __init__(self, mode: str) -> None:
        super().__init__(
            f"Not available in auth mode {mode!r}: users and sessions need managed auth "
            "(ATLAS_AUTH_MODE=managed)"
        )


INVALID_SIGN_IN = "Invalid email or password"

__all__ = [
    "INVALID_SIGN_IN",
    "AuthFailed",
    "Forbidden",
    "ForbiddenRole",
    "ManagedOnly",
    "RateLimited",
    "SessionExpired",
]
