"""The gateway's errors, all in the common envelope (see :mod:`atlas_common.errors`).

Exceptions::

    AtlasError (atlas_common)
    ├── NotInRoleTable   403 forbidden_role  a route the role table does not list (fail closed)
    ├── RoleTooLow       403 forbidden_role  the caller's role is below the route's
    ├── OriginMismatch   403 forbidden       a cookie-authenticated unsafe request from elsewhere
    ├── OverRateLimit    429 rate_limited    (+ retryAfterSeconds, Retry-After)
    └── InvalidQuestion  422 validation_error an empty or too long question

``method_not_allowed`` (atlas_common.allow) answers 405 with ``Allow`` naming every method
of the path.

Relayed failures keep the code the service answered (``auth.authenticator``); a service
that cannot be reached is ``atlas_common.errors.Unavailable``.
"""

from __future__ import annotations

from atlas_common.allow import method_not_allowed
from atlas_common.errors import Forbidden, ForbiddenRole, RateLimited, ValidationFailed

__all__ = ["InvalidQuestion", "NotInRoleTable", "OriginMismatch", "OverRateLimit", "RoleTooLow",
           "method_not_allowed"]


class NotInRoleTable(ForbiddenRole):
    def __init__(self) -> None:
        super().__init__("This route has no entry in the role table")


class RoleTooLow(ForbiddenRole):
    def __init__(self, need: str, role: str) -> None:
        super().__init__(f"This needs the {need} role; you are {role}")


class OriginMismatch(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "Cookie-authenticated requests that change state need a matching Origin header")


class OverRateLimit(RateLimited):
    def __init__(self, per_minute: int, retry_after: int) -> None:
        super().__init__(f"More than {per_minute} requests per minute", retry_after=retry_after)


class InvalidQuestion(ValidationFailed):
    def __init__(self, problem: str, message: str) -> None:
        super().__init__("question", problem, message=f"question: {message}")

