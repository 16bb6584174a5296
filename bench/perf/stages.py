"""Which stage of answering a question a sampled stack belongs to (bench/profile_stage.py).

A stack is a list of py-spy frames, outermost first, each ``function (path/file.py:line)``.
Walking it from the innermost frame outwards, it goes to:

1. the first frame that is tracing or logging (a cross-cutting stage: its cost is spread over
   every stage and is one thing to cut), or the first Atlas frame (one in an ``atlas_*``
   package; the processes' entry points match no rule) that a rule names: what Atlas code
   asked for the work, whichever library did it;
2. else the stage of its innermost library frame that a rule names (a background task of a
   client library: the broker's frames, Redis's parser);
3. else "event loop and other" (the loop itself; uvloop's C loop shows as ``Runner.run``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str
    patterns: tuple[str, ...]
    cross: bool = False  # matches library frames too, before any Atlas stage further out


OTHER = "event loop and other"
TRACING = Stage("tracing and logging",
                ("opentelemetry", "(trace/", "(logging/", "(metrics/", "(_decorator.py",
                 "(attributes/", "(context/", "(fastapi/telemetry/", "atlas_common/telemetry"),
                cross=True)

GATEWAY: tuple[Stage, ...] = (
    TRACING,
    Stage("auth and entitlement checks",
          ("atlas_gateway/auth/", "get_principal (atlas_gateway/deps",
           "atlas_gateway/service/charge", "atlas_common/entitlements",
           "atlas_gateway/service/admission")),
    Stage("publish and confirm (RabbitMQ)",
          ("atlas_common/bus/", "atlas_gateway/presence", "atlas_gateway/refreshed", "(aiormq/",
           "(aio_pika/", "(pamqp/")),
    Stage("run registration (Redis)", ("atlas_gateway/runs.py",)),
    Stage("stream subscribe and read (Redis pub/sub, event parsing)",
          ("atlas_common/stream/", "atlas_common/stream_events", "(redis/", "(_parsers/")),
    Stage("conversation checks", ("atlas_gateway/service/conversations",)),
    Stage("SSE framing", ("atlas_common/ui_stream",)),
    Stage("gathering the JSON answer", ("atlas_gateway/service/gather", "atlas_gateway/schemas")),
    Stage("ask route and service (the rest)",
          ("atlas_gateway/routes/ask", "atlas_gateway/service/ask")),
    Stage("HTTP parsing, middleware, dependencies",
          ("atlas_gateway/middleware", "atlas_gateway/deps", "(uvicorn/protocols/", "(starlette/",
           "(fastapi/", "(httptools")),
)

WORKER: tuple[Stage, ...] = (
    TRACING,
    Stage("stream writes (Redis)", ("atlas_common/stream/", "(redis/", "(_parsers/")),
    Stage("conversation reads and writes (PostgreSQL)",
          ("atlas_query/conversations/", "(asyncpg/")),
    Stage("guard", ("atlas_query/guard/",)),
    Stage("execution (DuckDB)", ("atlas_query/executors/", "atlas_query/worker/sql_runner")),
    Stage("narrative", ("atlas_query/planner/narrative",)),
    Stage("planner", ("atlas_query/planner/", "atlas_query/agent/router", "atlas_query/semantic/")),
    Stage("answer events (status, charts, results)", ("atlas_query/answer/",)),
    Stage("consume, ack, job handling (RabbitMQ)",
          ("atlas_common/bus/", "atlas_query/worker/jobs", "atlas_query/worker/recorder",
           "atlas_query/worker/process", "(aiormq/", "(aio_pika/", "(pamqp/")),
)

STAGES = {"gateway": GATEWAY, "worker": WORKER}


def _rule(frame: str, stages: tuple[Stage, ...], *, cross: bool) -> str | None:
    return next((s.name for s in stages
                 if s.cross == cross and any(p in frame for p in s.patterns)), None)


def stage_of(frames: list[str], stages: tuple[Stage, ...]) -> str:
    inner_first = frames[::-1]
    for frame in inner_first:
        name = _rule(frame, stages, cross=True)
        if name is None and "atlas_" in frame:
            name = _rule(frame, stages, cross=False)
        if name:
            return name
    for frame in inner_first:
        if name := _rule(frame, stages, cross=False):
            return name
    return OTHER
