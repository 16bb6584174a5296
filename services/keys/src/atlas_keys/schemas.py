"""Wire models of the keys service: camelCase JSON, strict bounds on everything a caller sends.

Unknown fields in a body are ignored (clients written for Better Auth's API-key plugin send a
few more, such as ``prefix`` or ``metadata``); every known field is checked strictly, so a
bad value is a 422 ``validation_error`` naming the field.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from atlas_common.principal import Role
from atlas_keys.keyformat import KEY_ID_PATTERN

MAX_NAME = 100
MIN_EXPIRES_IN = 3600  # one hour
MAX_EXPIRES_IN = 365 * 24 * 3600  # one year
MAX_CLAIMS = 50
MAX_KEY_INPUT = 1024

Status = Literal["active", "expired", "revoked"]


def _clean_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty or only whitespace")
    if len(value) > MAX_NAME:
        raise ValueError(f"must be at most {MAX_NAME} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        raise ValueError("must not contain control characters")
    return value


def _bounded_claims(value: dict[str, Any]) -> dict[str, Any]:
    if any(not key or len(key) > MAX_NAME for key in value):
        raise ValueError(f"claim names must be 1 to {MAX_NAME} characters")
    return value


KeyName = Annotated[str, Field(strict=True), AfterValidator(_clean_name)]
ExpiresIn = Annotated[int, Field(strict=True, ge=MIN_EXPIRES_IN, le=MAX_EXPIRES_IN)]
Claims = Annotated[dict[str, Any], Field(max_length=MAX_CLAIMS), AfterValidator(_bounded_claims)]
KeyId = Annotated[str, Field(strict=True, pattern=KEY_ID_PATTERN)]


class Wire(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class CreateKeyBody(Wire):
    name: KeyName
    expires_in: ExpiresIn | None = Field(
        None, description="Seconds from now, 3600 (1 hour) to 31536000 (1 year); none: never."
    )
    role: Role | None = Field(None, description="Default analyst; never above the creator's.")
    claims: Claims | None = Field(
        None, description="RLS claims; only ones the creator holds. Default: the creator's."
    )


class DeleteKeyBody(Wire):
    key_id: KeyId


class VerifyKeyBody(Wire):
    key: Annotated[str, Field(max_length=MAX_KEY_INPUT)]


class ApiKeyOut(Wire):
    id: str
    name: str
    start: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_request: datetime | None
    role: Role
    status: Status


class CreatedKeyOut(ApiKeyOut):
    key: str = Field(description="The whole key: shown this once, never again.")


class KeyList(Wire):
    api_keys: list[ApiKeyOut]
    total: int


class Success(Wire):
    success: bool = True


class VerifiedKey(Wire):
    """What the auth service needs to build the key's principal."""

    key_id: str
    workspace_id: str
    role: Role
    claims: dict[str, Any]
    created_by: str
    expires_at: datetime | None
