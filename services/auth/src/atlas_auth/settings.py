"""Settings of the auth service, and the choice of the auth mode.

Names are Atlas's (see ARCHITECTURE.md, "Settings people already know"). :meth:`resolve_mode`
applies the documented detection order; :meth:`check` refuses a configuration that cannot work
and raises :class:`ConfigError` whose message starts with the variable to fix.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field, SecretStr

from atlas_common.principal import AuthMode, Role
from atlas_common.service import StartupError
from atlas_common.settings import CommonSettings

MIN_AUTH_SECRET_CHARS = 32
_MODE_ALIASES: dict[str, AuthMode] = {
    "none": "none", "simple-key": "simple-key", "api-key": "simple-key",
    "managed": "managed", "byot": "byot",
}
# OWASP's floor for argon2id; production refuses anything weaker.
_ARGON2_MIN_TIME_COST = 2
_ARGON2_MIN_MEMORY_KIB = 19_456


class ConfigError(StartupError, ValueError):
    """A setting that stops start-up; the message names the variable."""


def _blank_to_none(value: str | None) -> str | None:
    return value if value and value.strip() else None


class AuthSettings(CommonSettings):
    host: str = Field("127.0.0.1", validation_alias="ATLAS_AUTH_HOST")
    port: int = Field(8101, ge=1, le=65535, validation_alias="ATLAS_AUTH_PORT")
    auth_mode: str | None = Field(None, validation_alias="ATLAS_AUTH_MODE")
    cache_ttl_s: int = Field(60, ge=0, le=3600, validation_alias="ATLAS_AUTH_CACHE_TTL_S")

    # simple-key
    api_key: SecretStr | None = Field(None, validation_alias="ATLAS_API_KEY")
    api_key_role: Role = Field("analyst", validation_alias="ATLAS_API_KEY_ROLE")
    rls_claims: str | None = Field(None, validation_alias="ATLAS_RLS_CLAIMS")

    # managed
    better_auth_secret: SecretStr | None = Field(None, validation_alias="BETTER_AUTH_SECRET")
    admin_email: str | None = Field(None, validation_alias="ATLAS_ADMIN_EMAIL")
    signup: Literal["invite", "open"] = Field("invite", validation_alias="ATLAS_SIGNUP")
    multi_workspace: bool = Field(False, validation_alias="ATLAS_MULTI_WORKSPACE")
    trusted_origins: str = Field("", validation_alias="BETTER_AUTH_TRUSTED_ORIGINS")
    argon2_time_cost: int | None = Field(None, ge=1, validation_alias="ATLAS_AUTH_ARGON2_TIME_COST")
    argon2_memory_kib: int | None = Field(
        None, ge=8, validation_alias="ATLAS_AUTH_ARGON2_MEMORY_KIB"
    )
    signin_max_per_account: int = Field(
        10, ge=1, validation_alias="ATLAS_AUTH_SIGNIN_MAX_PER_ACCOUNT"
    )
    signin_max_per_address: int = Field(
        50, ge=1, validation_alias="ATLAS_AUTH_SIGNIN_MAX_PER_ADDRESS"
    )
    signin_window_s: int = Field(900, ge=1, validation_alias="ATLAS_AUTH_SIGNIN_WINDOW_S")

    # byot
    jwks_url: str | None = Field(None, validation_alias="ATLAS_AUTH_JWKS_URL")
    issuer: str | None = Field(None, validation_alias="ATLAS_AUTH_ISSUER")
    audience: str | None = Field(None, validation_alias="ATLAS_AUTH_AUDIENCE")
    role_claim: str | None = Field(None, validation_alias="ATLAS_AUTH_ROLE_CLAIM")
    org_claim: str = Field("org_id", validation_alias="ATLAS_AUTH_ORG_CLAIM")
    jwt_leeway_s: int = Field(30, ge=0, le=300, validation_alias="ATLAS_AUTH_JWT_LEEWAY_S")
    jwks_cache_ttl_s: int = Field(600, ge=1, validation_alias="ATLAS_AUTH_JWKS_CACHE_TTL_S")
    jwks_min_refetch_s: float = Field(
        30.0, ge=0, validation_alias="ATLAS_AUTH_JWKS_MIN_REFETCH_S"
    )

    def resolve_mode(self) -> AuthMode:
        """``ATLAS_AUTH_MODE`` if set; else JWKS URL -> byot, BETTER_AUTH_SECRET -> managed,
        ATLAS_API_KEY -> simple-key, else none."""
        explicit = _blank_to_none(self.auth_mode)
        if explicit is not None:
            mode = _MODE_ALIASES.get(explicit.strip().lower())
            if mode is None:
                raise ConfigError(
                    f"ATLAS_AUTH_MODE: {explicit!r} is not one of none, simple-key "
                    "(alias api-key), managed, byot"
                )
            return mode
        if _blank_to_none(self.jwks_url):
            return "byot"
        if self.better_auth_secret is not None and self.better_auth_secret.get_secret_value():
            return "managed"
        if self.api_key is not None and self.api_key.get_secret_value():
            return "simple-key"
        return "none"

    def check(self) -> AuthMode:
        """The mode, once every setting it needs is present and sound."""
        mode = self.resolve_mode()
        checks = {"simple-key": self._check_simple_key, "managed": self._check_managed,
                  "byot": self._check_byot}
        if mode in checks:
            checks[mode]()
        return mode

    def _check_simple_key(self) -> None:
        if self.api_key is None or not self.api_key.get_secret_value().strip():
            raise ConfigError("ATLAS_API_KEY: required when ATLAS_AUTH_MODE=simple-key")
        self.static_claims()

    def _check_managed(self) -> None:
        secret = self.better_auth_secret.get_secret_value() if self.better_auth_secret else ""
        if len(secret) < MIN_AUTH_SECRET_CHARS:
            raise ConfigError(
                f"BETTER_AUTH_SECRET: required in managed mode, at least "
                f"{MIN_AUTH_SECRET_CHARS} characters"
            )
        if self.env == "production":
            self._check_argon2_strength()

    def _check_argon2_strength(self) -> None:
        if self.argon2_time_cost is not None and self.argon2_time_cost < _ARGON2_MIN_TIME_COST:
            raise ConfigError("ATLAS_AUTH_ARGON2_TIME_COST: too low for ATLAS_ENV=production")
        if self.argon2_memory_kib is not None and self.argon2_memory_kib < _ARGON2_MIN_MEMORY_KIB:
            raise ConfigError("ATLAS_AUTH_ARGON2_MEMORY_KIB: too low for ATLAS_ENV=production")

    def _check_byot(self) -> None:
        if not _blank_to_none(self.jwks_url):
            raise ConfigError("ATLAS_AUTH_JWKS_URL: required when ATLAS_AUTH_MODE=byot")
        if not self.jwks_url or not self.jwks_url.startswith(("https://", "http://")):
            raise ConfigError("ATLAS_AUTH_JWKS_URL: must be an http(s) URL")
        if not _blank_to_none(self.issuer):
            raise ConfigError("ATLAS_AUTH_ISSUER: required in byot mode")

    def static_claims(self) -> dict[str, Any]:
        """``ATLAS_RLS_CLAIMS`` parsed: a JSON object, or ConfigError naming the variable."""
        if not _blank_to_none(self.rls_claims):
            return {}
        try:
            claims = json.loads(self.rls_claims or "")
        except json.JSONDecodeError as exc:
            raise ConfigError(f"ATLAS_RLS_CLAIMS: not valid JSON ({exc.msg})") from None
        if not isinstance(claims, dict):
            raise ConfigError("ATLAS_RLS_CLAIMS: must be a JSON object")
        return claims

    def trusted_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.trusted_origins.split(",") if o.strip()]

