"""Settings of the query worker process (on top of the query service's own)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from atlas_query.agent.settings import AgentSettings
from atlas_query.settings import QuerySettings
from atlas_query.worker.heartbeat import HeartbeatSettings


class WorkerSettings(QuerySettings, AgentSettings, HeartbeatSettings):
    """The query service's settings, the worker's knobs, the LLM agent's (``AgentSettings``)
    and the heartbeat's (``HeartbeatSettings``)."""

    concurrency: int = Field(4, ge=1, le=256, validation_alias="ATLAS_QUERY_CONCURRENCY")
    shutdown_grace_s: float = Field(
        10.0,
        ge=0,
        validation_alias="ATLAS_WORKER_SHUTDOWN_GRACE_S",
        description="On SIGTERM, how long jobs in hand may run before they are requeued.",
    )
    token_delay_ms: float = Field(
        0.0,
        ge=0,
        validation_alias="ATLAS_WORKER_TOKEN_DELAY_MS",
        description="Pause between streamed tokens; fault tests use it to catch a job mid-way.",
    )
    stream_write_retry_s: float = Field(
        15.0,
        ge=0,
        validation_alias="ATLAS_STREAM_WRITE_RETRY_S",
        description="A Redis outage up to this long is ridden out: stream writes are retried "
        "with backoff and the job goes on; past it the job is requeued (docs/reliability.md).",
    )
    answerer: Literal["semantic", "echo"] = Field(
        "semantic",
        validation_alias="ATLAS_WORKER_ANSWERER",
        description="echo answers without SQL (benchmarks of the ask path).",
    )
