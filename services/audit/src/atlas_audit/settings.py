"""Settings of the audit service (pydantic-settings: the only place that reads the environment)."""

from __future__ import annotations

from pydantic import Field

from atlas_common.settings import CommonSettings


class AuditSettings(CommonSettings):
    host: str = Field("127.0.0.1", validation_alias="ATLAS_AUDIT_HOST")
    port: int = Field(8107, ge=1, le=65535, validation_alias="ATLAS_AUDIT_PORT")
    retention_days: int = Field(
        365, ge=0, le=36_500, validation_alias="ATLAS_AUDIT_RETENTION_DAYS",
        description="Monthly partitions wholly older than this are dropped (daily and at "
        "start); 0 keeps the trail forever.",
    )
    batch_max: int = Field(
        1000, ge=1, le=10_000, validation_alias="ATLAS_AUDIT_BATCH_MAX",
        description="Events one INSERT writes at most; the consumer's prefetch is three "
        "times this.",
    )
    batch_wait_ms: int = Field(
        50, ge=1, le=10_000, validation_alias="ATLAS_AUDIT_BATCH_WAIT_MS",
        description="How long a partial batch waits for more events before it is written.",
    )
    count_budget_ms: int = Field(
        50, ge=1, le=60_000, validation_alias="ATLAS_AUDIT_COUNT_BUDGET_MS",
        description="Time a list's exact total (up to 10,000) may take; past it the total "
        "is the planner's estimate (totalIsEstimate), so a page never waits on its count.",
    )
