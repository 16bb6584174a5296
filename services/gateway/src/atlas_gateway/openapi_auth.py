"""The auth service's public routes in the gateway's document: the gateway relays
``/api/auth/*`` and ``/api/admin/users*`` as they are (``routes/auth_proxy.py``), so their
bodies are written here, as the auth service answers them (services/auth ``schemas.py``).

Users and sessions exist in managed mode only; in the other modes these routes answer 404
``not_found``. A body is checked by the auth service: 422 ``validation_error``; a sign-up or
user that cannot be created, a wrong current password, a change an admin may not make: 400.
"""

from __future__ import annotations

from typing import Any, Final

from atlas_common.wire.errors import error_responses

#: Sign-out and get-session answer without a credential too (nothing to end, ``null``).
OPTIONAL_AUTH: Final = frozenset({"/api/auth/sign-out", "/api/auth/get-session"})

# The auth service strips ASCII whitespace and lower-cases an email before matching it
# (schemas.py, the same character class). Spelled out so that JSON Schema's (ECMAScript) and
# Python's `\s` agree: they differ on U+0085 and U+FEFF, both refused here explicitly.
_LOCAL_PART = r"[^@\s\x00-\x1f\x7f-\x9f\ufeff]"
_PAD = r"[ \t\n\r\f\v]*"
_EMAIL = {"type": "string",
          "pattern": rf"^{_PAD}{_LOCAL_PART}{{1,64}}@{_LOCAL_PART}+\.{_LOCAL_PART}+{_PAD}$",
          "maxLength": 254}
_PASSWORD = {"type": "string", "minLength": 8, "maxLength": 128}
_NAME = {"type": "string", "minLength": 1, "maxLength": 100}
_ROLE = {"type": "string", "enum": ["viewer", "analyst", "admin"]}
_CLAIMS = {"type": "object", "maxProperties": 50}
_TIME = {"type": "string", "format": "date-time"}
USER: Final = {
    "type": "object",
    "required": ["id", "email", "name", "role", "workspaceId", "claims", "active",
                 "emailVerified", "createdAt", "updatedAt"],
    "properties": {
        "id": {"type": "string"}, "email": {"type": "string"}, "name": {"type": "string"},
        "role": _ROLE, "workspaceId": {"type": "string"}, "claims": {"type": "object"},
        "active": {"type": "boolean"}, "emailVerified": {"type": "boolean"},
        "createdAt": _TIME, "updatedAt": _TIME,
    },
}
SESSION: Final = {
    "type": "object",
    "required": ["id", "userId", "expiresAt", "createdAt", "updatedAt"],
    "properties": {"id": {"type": "string"}, "userId": {"type": "string"},
                   "expiresAt": _TIME, "createdAt": _TIME, "updatedAt": _TIME},
}
_SUCCESS = {"type": "object", "required": ["success"],
            "properties": {"success": {"type": "boolean", "enum": [True]}}}
_USER_ONLY = {"type": "object", "required": ["user"], "properties": {"user": USER}}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def _operation(
    summary: str,
    ok: dict[str, Any],
    errors: tuple[int, ...],
    body: dict[str, Any] | None = None,
    *,
    status: int = 200,
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(status): {"description": "OK", "content": {"application/json": {"schema": ok}}},
        **{str(s): r for s, r in error_responses(404, *errors).items()},
    }
    operation: dict[str, Any] = {"tags": ["Auth"], "summary": summary, "responses": responses}
    if body is not None:
        operation["requestBody"] = {
            "required": True, "content": {"application/json": {"schema": body}}
        }
    if parameters:
        operation["parameters"] = parameters
    return operation


_USER_ID = {"name": "user_id", "in": "path", "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 64}}
_PAGE = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                "maximum": 200, "default": 50}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
]
_ADMIN = (400,)  # a change an admin may not make (their own role, the last admin)

AUTH_PATHS: Final[dict[str, Any]] = {
    "/api/auth/sign-up/email": {"post": _operation(
        "Sign up (managed): a session token and the session cookie",
        _object(["token", "user"], token={"type": "string"}, user=USER), (400, 403, 429),
        _object(["email", "password", "name"], email=_EMAIL, password=_PASSWORD, name=_NAME))},
    "/api/auth/sign-in/email": {"post": _operation(
        "Sign in (managed): a session token and the session cookie",
        _object(["token", "user"], token={"type": "string"}, user=USER), (401, 403, 429),
        _object(["email", "password"], email=_EMAIL,
                password={"type": "string", "minLength": 1, "maxLength": 128}))},
    "/api/auth/sign-out": {"post": _operation(
        "End the presented session (idempotent) and clear the cookie", _SUCCESS, ())},
    "/api/auth/get-session": {"get": _operation(
        "The caller's session and user; `null` without a live session",
        {"anyOf": [_object(["session", "user"], session=SESSION, user=USER), {"type": "null"}]},
        ())},
    "/api/auth/change-password": {"post": _operation(
        "Change your password; your other sessions end unless `revokeOtherSessions` is false",
        _SUCCESS, (400,),
        _object(["currentPassword", "newPassword"],
                currentPassword={"type": "string", "minLength": 1, "maxLength": 128},
                newPassword=_PASSWORD, revokeOtherSessions={"type": "boolean", "default": True}))},
    "/api/admin/users": {
        "get": _operation(
            "Users of your workspace (admin)",
            _object(["users", "total"], users={"type": "array", "items": USER},
                    total={"type": "integer"}), (), parameters=_PAGE),
        "post": _operation(
            "Add a user to your workspace (admin)", _USER_ONLY, _ADMIN,
            _object(["email", "name", "password"], email=_EMAIL, name=_NAME, password=_PASSWORD,
                    role={**_ROLE, "default": "analyst"}, claims=_CLAIMS), status=201),
    },
    "/api/admin/users/{user_id}": {"get": _operation(
        "One user of your workspace (admin)", _USER_ONLY, (), parameters=[_USER_ID])},
    "/api/admin/users/{user_id}/role": {"patch": _operation(
        "Change a user's role (admin)", _USER_ONLY, _ADMIN, _object(["role"], role=_ROLE),
        parameters=[_USER_ID])},
    "/api/admin/users/{user_id}/claims": {"put": _operation(
        "Replace a user's RLS claims (admin)", _USER_ONLY, _ADMIN,
        _object(["claims"], claims=_CLAIMS), parameters=[_USER_ID])},
    "/api/admin/users/{user_id}/password": {"post": _operation(
        "Set a user's password (admin)", _SUCCESS, _ADMIN,
        _object(["password"], password=_PASSWORD), parameters=[_USER_ID])},
    "/api/admin/users/{user_id}/deactivate": {"post": _operation(
        "Deactivate a user: their sessions and keys stop at once (admin)", _SUCCESS, _ADMIN,
        parameters=[_USER_ID])},
}
