"""Settings of the gateway process."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from atlas_common.settings import CommonSettings


class GatewaySettings(CommonSettings):
    host: str = Field("127.0.0.1", validation_alias="ATLAS_GATEWAY_HOST")
    port: int = Field(8000, validation_alias="ATLAS_GATEWAY_PORT")
    scheduler_url: str = Field("http://127.0.0.1:8106", validation_alias="ATLAS_SCHEDULER_URL")
    audit_url: str = Field("http://127.0.0.1:8107", validation_alias="ATLAS_AUDIT_URL")
    max_question_chars: int = Field(4000, ge=1, validation_alias="ATLAS_MAX_QUESTION_CHARS")
    max_body_bytes: int = Field(1_048_576, ge=1024, validation_alias="ATLAS_MAX_BODY_BYTES")
    metrics_public: bool = Field(False, validation_alias="ATLAS_METRICS_PUBLIC")
    sse_heartbeat_s: float = Field(15.0, gt=0, validation_alias="ATLAS_SSE_HEARTBEAT_S")
    # Worker presence and /api/health are read by background tasks, never per request (issue 27).
    worker_check_interval_s: float = Field(
        0.5,
        ge=0.05,
        le=10,
        validation_alias="ATLAS_WORKER_CHECK_INTERVAL_S",
        description="How often this replica re-reads which workers consume (one read at a time).",
    )
    worker_check_stale_s: float = Field(
        10.0,
        gt=0,
        validation_alias="ATLAS_WORKER_CHECK_STALE_S",
        description="A worker count older than this (the broker slow to answer) is unknown: "
        "questions go through instead of being refused on it.",
    )
    health_interval_s: float = Field(
        1.0,
        ge=0.1,
        le=60,
        validation_alias="ATLAS_GATEWAY_HEALTH_INTERVAL_S",
        description="How often /api/health's checks are refreshed in the background.",
    )
    # 50,000: a burst of streams holds ~240 live objects each; at Python's 700 the GC ran
    # full collections for half the burst's time (bench/streams.py, docs/performance.md).
    gc_gen0_threshold: int | None = Field(
        50_000,
        ge=100,
        validation_alias="ATLAS_GC_GEN0_THRESHOLD",
        description="Allocations between two young-generation collections of Python's GC.",
    )
    unavailable_retry_after_s: int = Field(5, ge=1, validation_alias="ATLAS_RETRY_AFTER_S")
    # 64: Little's law, questions in flight = answers a second x time each spends here. One
    # worker answers ~60-80 a second (issue 22), so 64 is under a second of waiting per worker
    # and keeps 16 workers at the default ATLAS_QUERY_CONCURRENCY (4) busy; past it, waiting
    # only adds latency. Tighter latency: about 2 x workers x concurrency / gateway replicas.
    max_in_flight: int = Field(
        64,
        ge=1,
        validation_alias="ATLAS_GATEWAY_MAX_IN_FLIGHT",
        description="Questions this replica answers at once; the next gets 503 overloaded.",
    )
    # 4096: a file descriptor and tens of KB each (docs/scaling.md), within the fd limit the
    # gateway raises itself to on most hosts (limits.py). Apart from the question cap: a
    # resumed stream holds a stream slot but no question slot.
    max_open_streams: int = Field(
        4096,
        ge=1,
        validation_alias="ATLAS_GATEWAY_MAX_OPEN_STREAMS",
        description="Chat streams (new and resumed) this replica holds open at once; the next "
        "gets 503 overloaded.",
    )
    auth_cache_ttl_s: float = Field(
        30.0,
        gt=0,
        le=60,
        validation_alias="ATLAS_AUTH_CACHE_TTL_S",
        description="Longest a verified principal is cached (the fallback when an event is lost).",
    )
    auth_cache_max: int = Field(10_000, ge=1, validation_alias="ATLAS_AUTH_CACHE_MAX")
    # query-api loads its semantic layer once at start (no reload event): the TTL is the whole
    # bound on serving the old tables after it restarts with a new layer (relay_cache.py).
    relay_cache_ttl_s: float = Field(
        5.0,
        ge=0,
        le=300,
        validation_alias="ATLAS_GATEWAY_RELAY_CACHE_TTL_S",
        description="How long tables and starter prompts are cached per workspace and role "
        "(0: not cached).",
    )
    rate_limit_rpm: int = Field(0, ge=0, validation_alias="ATLAS_RATE_LIMIT_RPM")
    cors_origin: str = Field("", validation_alias="ATLAS_CORS_ORIGIN")
    widget_dir: Path = Field(
        Path(__file__).resolve().parents[4] / "clients" / "widget" / "dist",
        validation_alias="ATLAS_WIDGET_DIR",
        description="The built widget and chat page (npm run build -w clients/widget).",
    )
    console_dir: Path = Field(
        Path(__file__).resolve().parents[4] / "clients" / "console" / "dist",
        validation_alias="ATLAS_CONSOLE_DIR",
        description="The built admin console (npm run build -w clients/console).",
    )

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origin.split(",") if o.strip()]
