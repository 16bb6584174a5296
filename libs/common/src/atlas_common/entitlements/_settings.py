"""Settings of the entitlement gate, read by every process that gates (and by the service).

The gate is on when ``ATLAS_PLANS_FILE`` is set: every process that gates gets the same value
(only the entitlements service reads the file; the others only need to know there is one).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from atlas_common.settings import CommonSettings

FallbackPolicy = Literal["allow", "deny"]


class EntitlementsSettings(CommonSettings):
    plans_file: str = Field(
        "",
        validation_alias="ATLAS_PLANS_FILE",
        description="The plans file; unset: the built-in unlimited self-hosted plan, no calls.",
    )
    entitlements_cache_ttl_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        validation_alias="ATLAS_ENTITLEMENTS_CACHE_TTL_S",
        description="Longest a customer's snapshot is trusted without an event (a lost event).",
    )
    entitlements_stale_s: float = Field(
        120.0,
        ge=0,
        le=86400,
        validation_alias="ATLAS_ENTITLEMENTS_STALE_S",
        description="How long past its TTL a snapshot is still used while the service is "
        "unreachable (last-known-good); then the per-feature fallback.",
    )
    entitlements_timeout_s: float = Field(
        2.0, gt=0, le=60, validation_alias="ATLAS_ENTITLEMENTS_TIMEOUT_S"
    )
    entitlements_retry_s: float = Field(
        1.0,
        ge=0,
        le=60,
        validation_alias="ATLAS_ENTITLEMENTS_RETRY_S",
        description="After a failed call, how long the service is not asked again.",
    )
    entitlements_cache_max: int = Field(
        10_000, ge=1, validation_alias="ATLAS_ENTITLEMENTS_CACHE_MAX"
    )
    entitlements_fallback: str = Field(
        "",
        validation_alias="ATLAS_ENTITLEMENTS_FALLBACK",
        description="Per feature, what to do when the service is unreachable past the "
        "last-known-good bound: 'queries=allow,query=allow'. Default: deny.",
    )
    entitlements_allow_without_provider: str = Field(
        "",
        validation_alias="ATLAS_ENTITLEMENTS_ALLOW_WITHOUT_PROVIDER",
        description="Limited gauges allowed when no limit provider is registered "
        "(comma-separated). Default: denied with no_limit_provider.",
    )

    @property
    def gate_enabled(self) -> bool:
        return bool(self.plans_file.strip())

    @property
    def fallbacks(self) -> dict[str, FallbackPolicy]:
        return _parse_fallbacks(self.entitlements_fallback)

    @property
    def allowed_without_provider(self) -> frozenset[str]:
        items = self.entitlements_allow_without_provider.split(",")
        return frozenset(i.strip() for i in items if i.strip())

    @model_validator(mode="after")
    def _fallbacks_parse(self) -> EntitlementsSettings:
        _parse_fallbacks(self.entitlements_fallback)
        return self


def _parse_fallbacks(raw: str) -> dict[str, FallbackPolicy]:
    found: dict[str, FallbackPolicy] = {}
    for item in (i.strip() for i in raw.split(",")):
        if not item:
            continue
        feature, sep, policy = (p.strip() for p in item.partition("="))
        if not sep or not feature or policy not in ("allow", "deny"):
            raise ValueError(
                f"ATLAS_ENTITLEMENTS_FALLBACK: {item!r} is not feature=allow or feature=deny"
            )
        found[feature] = "allow" if policy == "allow" else "deny"
    return found
