"""Settings of the keys service (pydantic-settings: the only place that reads the environment)."""

from __future__ import annotations

from pydantic import Field

from atlas_common.settings import CommonSettings


class KeysSettings(CommonSettings):
    host: str = Field("127.0.0.1", validation_alias="ATLAS_KEYS_HOST")
    port: int = Field(8102, ge=1, le=65535, validation_alias="ATLAS_KEYS_PORT")
    last_used_flush_s: float = Field(
        60.0,
        ge=0.05,
        le=3600,
        validation_alias="ATLAS_KEYS_LAST_USED_FLUSH_S",
        description="How often the coalesced last-used times are written: each key's "
        "lastRequest is written at most once per interval, whatever its traffic.",
    )
