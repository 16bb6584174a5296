"""Settings of the entitlements service (pydantic-settings: the only place reading the environment).

The gate's settings (``ATLAS_PLANS_FILE`` and the cache knobs) come from
:class:`atlas_common.entitlements.EntitlementsSettings`; this adds the listener and the usage
consumer.
"""

from __future__ import annotations

from pydantic import Field

from atlas_common.entitlements import EntitlementsSettings


class EntitlementsServiceSettings(EntitlementsSettings):
    host: str = Field("127.0.0.1", validation_alias="ATLAS_ENTITLEMENTS_HOST")
    port: int = Field(8103, ge=1, le=65535, validation_alias="ATLAS_ENTITLEMENTS_PORT")
    usage_prefetch: int = Field(
        1000,
        ge=1,
        le=10_000,
        validation_alias="ATLAS_ENTITLEMENTS_USAGE_PREFETCH",
        description="usage.recorded events handled at once (unacked in flight).",
    )
    usage_batch: int = Field(
        500, ge=1, le=10_000, validation_alias="ATLAS_ENTITLEMENTS_USAGE_BATCH",
        description="Most usage events counted by one statement (one commit).")
    usage_batch_wait_ms: float = Field(
        2.0, ge=0, le=1000, validation_alias="ATLAS_ENTITLEMENTS_USAGE_BATCH_WAIT_MS",
        description="Longest an event waits for others to share its commit.")
    db_pool_max: int = Field(10, ge=2, le=200, validation_alias="ATLAS_ENTITLEMENTS_DB_POOL_MAX")
