"""Wire models of the auth service: camelCase JSON, strict sizes on everything a caller sends."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from atlas_common.principal import Principal, Role

# No control characters: PostgreSQL refuses a NUL in text (a 500, where this is a 422). The
# class is the gateway's OpenAPI pattern's (openapi_auth.py): C1 controls and U+FEFF spelled out
# so that Python's and JSON Schema's `\s` cannot disagree on what is valid.
_EMAIL_CHAR = r"[^@\s\x00-\x1f\x7f-\x9f\ufeff]"
_EMAIL = re.compile(rf"^{_EMAIL_CHAR}{{1,64}}@{_EMAIL_CHAR}+\.{_EMAIL_CHAR}+$")
_PAD = " \t\n\r\f\v"
MIN_PASSWORD = 8
MAX_PASSWORD = 128  # argon2 cost does not depend on length, but a bound keeps bodies small
MAX_HEADER = 8192


def _normalise_email(value: str) -> str:
    value = value.strip(_PAD).lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not a valid email address")
    return value


Email = Annotated[str, AfterValidator(_normalise_email)]
Password = Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Claims = Annotated[dict[str, Any], Field(max_length=50)]
HeaderValue = Annotated[str | None, Field(default=None, max_length=MAX_HEADER * 2)]


class Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


# -- internal ---------------------------------------------------------------------------------


class VerifyRequest(Wire):
    """What the gateway saw: the credentials and the few request facts verification needs."""

    authorization: HeaderValue = None
    api_key: HeaderValue = None
    session_cookie: HeaderValue = None
    origin: Annotated[str | None, Field(max_length=2048)] = None
    host: Annotated[str | None, Field(max_length=1024)] = None
    method: Annotated[str, Field(min_length=1, max_length=16)] = "GET"
    client_ip: Annotated[str | None, Field(max_length=64)] = None


class VerifyResponse(BaseModel):
    principal: Principal
    cache_ttl_seconds: int = Field(serialization_alias="cacheTtlSeconds")


class ModeResponse(BaseModel):
    mode: str


# -- managed ----------------------------------------------------------------------------------


class SignUpBody(Wire):
    email: Email
    password: Password
    name: Name


class SignInBody(Wire):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]


class ChangePasswordBody(Wire):
    current_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD)]
    new_password: Password
    revoke_other_sessions: bool = True


class UserOut(Wire):
    id: str
    email: str
    name: str
    role: Role
    workspace_id: str
    claims: dict[str, Any]
    active: bool
    email_verified: bool = False
    created_at: datetime
    updated_at: datetime


class SessionOut(Wire):
    id: str
    user_id: str
    expires_at: datetime
    created_at: datetime
    updated_at: datetime


class TokenAndUser(Wire):
    token: str
    user: UserOut


class SessionAndUser(Wire):
    session: SessionOut
    user: UserOut


class Success(Wire):
    success: Literal[True] = True


# -- admin ------------------------------------------------------------------------------------


class AddUserBody(Wire):
    email: Email
    name: Name
    password: Password
    role: Role = "analyst"
    claims: Claims = Field(default_factory=dict)


class RoleBody(Wire):
    role: Role


class ClaimsBody(Wire):
    claims: Claims


class PasswordBody(Wire):
    password: Password


class UserOnly(Wire):
    user: UserOut


class UserList(Wire):
    users: list[UserOut]
    total: int
