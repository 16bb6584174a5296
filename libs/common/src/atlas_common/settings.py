"""Settings shared by every Atlas process.

Only pydantic-settings reads the environment: services subclass :class:`CommonSettings` and add
their own fields. Names follow the Atlas documentation (see ARCHITECTURE.md), so people who
already run Atlas keep their environment files.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from atlas_common.bus.names import QUERY_QUEUE_MAX_LENGTH

DEV_INTERNAL_TOKEN = "atlas-dev-internal-token-not-for-production"  # noqa: S105 - a known dev default
#: An env prefix nobody sets: with it, pydantic-settings reads a field only by its Atlas name
#: (validation alias), never by its bare name, so PORT / HOST / ENV exported by process
#: runners cannot reconfigure a service. Every settings class of Atlas uses it.
FIELD_NAMES_NOT_READ = "ATLAS_FIELD_NAME_NOT_READ__"
_PLACEHOLDERS = {"", "changeme", "change-me", "changethis", "secret", DEV_INTERNAL_TOKEN}


class CommonSettings(BaseSettings):
    """Connections, identity of the deployment, and the stream / job knobs every process shares."""

    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, env_prefix=FIELD_NAMES_NOT_READ
    )

    env: Literal["development", "test", "production"] = Field(
        "development", validation_alias="ATLAS_ENV"
    )
    database_url: str = Field(
        "postgresql://postgres@127.0.0.1:5432/postgres", validation_alias="DATABASE_URL"
    )
    rabbitmq_url: str = Field(
        "amqp://guest:guest@127.0.0.1:5672/", validation_alias="ATLAS_RABBITMQ_URL"
    )
    database_pool_max: int | None = Field(
        None,
        ge=1,
        validation_alias="ATLAS_DATABASE_POOL_MAX",
        description="Caps every PostgreSQL pool the process opens (each keeps its own, smaller "
        "size otherwise): lower it when many processes share one server's max_connections.",
    )
    gc_gen0_threshold: int | None = Field(
        None,
        ge=100,
        validation_alias="ATLAS_GC_GEN0_THRESHOLD",
        description="Allocations between two young-generation collections of Python's cyclic "
        "GC (unset: Python's 700; the gateway's own default is higher, docs/performance.md).",
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", validation_alias="ATLAS_REDIS_URL")
    redis_prefix: str = Field(
        "atlas:",
        validation_alias="ATLAS_REDIS_PREFIX",
        description="Prefix of every Redis key and channel; tests use one per run.",
    )
    internal_token: str = Field(DEV_INTERNAL_TOKEN, validation_alias="ATLAS_INTERNAL_TOKEN")

    auth_url: str = Field("http://127.0.0.1:8101", validation_alias="ATLAS_AUTH_URL")
    keys_url: str = Field("http://127.0.0.1:8102", validation_alias="ATLAS_KEYS_URL")
    entitlements_url: str = Field(
        "http://127.0.0.1:8103", validation_alias="ATLAS_ENTITLEMENTS_URL"
    )
    query_api_url: str = Field("http://127.0.0.1:8104", validation_alias="ATLAS_QUERY_API_URL")

    query_deadline_s: float = Field(120.0, gt=0, validation_alias="ATLAS_QUERY_DEADLINE_S")
    stream_replay_ttl_s: int = Field(3600, gt=0, validation_alias="ATLAS_STREAM_REPLAY_TTL_S")
    stream_replay_max: int = Field(5000, gt=10, validation_alias="ATLAS_STREAM_REPLAY_MAX")
    stream_finished_ttl_s: int = Field(
        300,
        gt=0,
        validation_alias="ATLAS_STREAM_FINISHED_TTL_S",
        description="How long a finished run's stream stays for replay / resume (capped by "
        "ATLAS_STREAM_REPLAY_TTL_S, the bound of an unfinished one); docs/operations.md.",
    )
    stream_grace_s: float = Field(30.0, ge=0, validation_alias="ATLAS_STREAM_GRACE_S")
    job_delivery_limit: int = Field(
        5,
        ge=1,
        validation_alias="ATLAS_JOB_DELIVERY_LIMIT",
        description="Deliveries before a job is dead-lettered; headroom for shutdown requeues.",
    )
    query_queue_max_length: int = Field(
        QUERY_QUEUE_MAX_LENGTH,  # why this number: atlas_common.bus.names
        ge=0,
        validation_alias="ATLAS_QUERY_QUEUE_MAX_LENGTH",
        description="Ready jobs query.requested holds before a publish is refused (503 "
        "overloaded); 0: unbounded. Every process declares the queue: set it the same "
        "everywhere.",
    )

    worker_heartbeat_s: float = Field(
        5.0,
        gt=0,
        validation_alias="ATLAS_WORKER_HEARTBEAT_S",
        description="How often each query worker beats (its file and the Redis registry).",
    )
    worker_stale_s: float = Field(
        15.0,
        gt=0,
        validation_alias="ATLAS_WORKER_STALE_S",
        description="A worker silent this long is stale: unhealthy, not counted, restarted.",
    )
    worker_forget_s: float = Field(
        300.0,
        gt=0,
        validation_alias="ATLAS_WORKER_FORGET_S",
        description="A stale worker leaves the registry (and /api/health) after this long.",
    )
    amqp_heartbeat_s: int = Field(
        10,
        ge=0,
        validation_alias="ATLAS_AMQP_HEARTBEAT_S",
        description="AMQP heartbeat; the broker drops a frozen peer after about two (0: off).",
    )

    log_level: str = Field("INFO", validation_alias="ATLAS_LOG_LEVEL")
    log_json: bool = Field(True, validation_alias="ATLAS_LOG_JSON")
    otel_exporter: Literal["none", "console", "otlp"] = Field(
        "none", validation_alias=AliasChoices("ATLAS_OTEL_EXPORTER", "OTEL_TRACES_EXPORTER")
    )
    otel_protocol: Literal["http/protobuf"] = Field(
        "http/protobuf",
        validation_alias=AliasChoices(
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"
        ),
        description="OTLP over HTTP with protobuf bodies is the one protocol Atlas sends.",
    )
    otel_db_query_text: bool = Field(
        False,
        validation_alias="ATLAS_OTEL_DB_QUERY_TEXT",
        description="Put the guarded SQL in db spans (db.query.text); its literals may be a "
        "user's data.",
    )
    metrics_port: int = Field(
        0, ge=0, le=65535, validation_alias="ATLAS_METRICS_PORT",
        description="The gateway's and a worker's /metrics listener (0: none); the internal "
        "services serve /metrics on their own port.",
    )
    metrics_host: str = Field("127.0.0.1", validation_alias="ATLAS_METRICS_HOST")

    def pool_size(self, wanted: int) -> int:
        """``wanted`` connections, or ATLAS_DATABASE_POOL_MAX when that is fewer."""
        cap = self.database_pool_max
        return wanted if cap is None else min(wanted, cap)

    @model_validator(mode="after")
    def _refuse_placeholder_secrets_in_production(self) -> CommonSettings:
        if self.env == "production":
            token = self.internal_token
            if token.lower() in _PLACEHOLDERS or len(token) < 32:
                raise ValueError(
                    "ATLAS_INTERNAL_TOKEN must be set to a random value of at least 32 "
                    "characters when ATLAS_ENV=production"
                )
        return self
