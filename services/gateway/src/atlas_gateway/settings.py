"""Settings of the gateway process."""

from __future__ import annotations

from pydantic import Field

from atlas_common.settings import CommonSettings


class GatewaySettings(CommonSettings):
    host: str = Field("127.0.0.1", validation_alias="ATLAS_GATEWAY_HOST")
    port: int = Field(8000, validation_alias="ATLAS_GATEWAY_PORT")
    max_question_chars: int = Field(4000, ge=1, validation_alias="ATLAS_MAX_QUESTION_CHARS")
    max_body_bytes: int = Field(1_048_576, ge=1024, validation_alias="ATLAS_MAX_BODY_BYTES")
    sse_heartbeat_s: float = Field(15.0, gt=0, validation_alias="ATLAS_SSE_HEARTBEAT_S")
    worker_check_ttl_s: float = Field(
        0.5,
        ge=0,
        validation_alias="ATLAS_WORKER_CHECK_TTL_S",
        description="How long a positive 'a worker consumes' answer is trusted.",
    )
    unavailable_retry_after_s: int = Field(5, ge=1, validation_alias="ATLAS_RETRY_AFTER_S")
    workers: int = Field(1, ge=1, validation_alias="ATLAS_GATEWAY_WORKERS")
