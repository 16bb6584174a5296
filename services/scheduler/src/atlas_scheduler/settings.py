"""Settings of the scheduler (pydantic-settings: the only place that reads the environment)."""

from __future__ import annotations

from pydantic import Field

from atlas_common.settings import CommonSettings
from atlas_scheduler.delivery.config import DeliverySettings


class SchedulerSettings(CommonSettings, DeliverySettings):
    """The scheduler's own settings, the delivery channels' (``DeliverySettings``) and the
    common ones, read once."""

    host: str = Field("127.0.0.1", validation_alias="ATLAS_SCHEDULER_HOST")
    port: int = Field(8106, ge=1, le=65535, validation_alias="ATLAS_SCHEDULER_PORT")
    tick_s: float = Field(
        0.5, ge=0.05, le=60, validation_alias="ATLAS_SCHEDULER_TICK_S",
        description="How often each replica looks for due tasks: a slot fires at most this "
        "late (plus the time to claim it); an idle tick is three small queries.",
    )
    claim_batch: int = Field(
        500, ge=1, le=10_000, validation_alias="ATLAS_SCHEDULER_CLAIM_BATCH",
        description="Due tasks one transaction claims; a tick repeats until none are due.",
    )
    lease_s: float = Field(
        10.0, ge=1, le=600, validation_alias="ATLAS_SCHEDULER_LEASE_S",
        description="A run whose replica has not renewed its lease for this long is taken "
        "over by another replica (renewed every tick).",
    )
    max_skipped_recorded: int = Field(
        100, ge=0, le=10_000, validation_alias="ATLAS_SCHEDULER_MAX_SKIPPED_RECORDED",
        description="Missed slots recorded as skipped runs per catch-up (the latest missed "
        "slot runs once); older ones are not recorded.",
    )
    run_deadline_s: float | None = Field(
        None, gt=0, validation_alias="ATLAS_SCHEDULER_RUN_DEADLINE_S",
        description="How long a run's answer may take; default ATLAS_QUERY_DEADLINE_S.",
    )

    @property
    def deadline_s(self) -> float:
        return self.run_deadline_s or self.query_deadline_s
