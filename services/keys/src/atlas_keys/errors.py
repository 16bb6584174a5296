"""The keys service's errors, in the common envelope (see :mod:`atlas_common.errors`).

Exceptions::

    AtlasError (atlas_common)
    ├── InvalidKey        401 auth_error      a key that is unknown, malformed, revoked or
    │                                         expired: the caller never learns which
    ├── ForbiddenRole     403 forbidden_role  not an admin, or a key role above the caller's
    ├── ClaimsNotHeld     403 forbidden       claims the caller does not hold
    └── KeyNotFound       404 not_found       no such key in the caller's workspace
"""

from __future__ import annotations

from atlas_common.errors import AtlasError, ForbiddenRole, NotFound


class InvalidKey(AtlasError):
    status_code = 401
    code = "auth_error"

    def __init__(self) -> None:
        super().__init__("Missing or invalid credential",
                         headers={"WWW-Authenticate": "Bearer"})


class ClaimsNotHeld(AtlasError):
    status_code = 403
    code = "forbidden"


class KeyNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such API key in this workspace")

__all__ = ["ClaimsNotHeld", "ForbiddenRole", "InvalidKey", "KeyNotFound"]
