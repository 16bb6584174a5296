"""The bench's own tools (bench/perf): which stage a sampled stack goes to, and how CPU time
read from /proc is attributed between two snapshots. No services; the figures are in bench/."""

from __future__ import annotations

import os
import time

from bench.perf.proc_cpu import Meter, Snapshot, Stat, read_stat
from bench.perf.stages import GATEWAY, OTHER, WORKER, stage_of

ROOT = ["<module> (atlas-gateway:10)", "run (atlas_gateway/main.py:20)",
        "run_service (atlas_common/service.py:86)", "run (uvicorn/main.py:580)",
        "Runner.run (asyncio/runners.py:118)"]
REQUEST = [*ROOT, "BodyLimitMiddleware.__call__ (atlas_gateway/middleware.py:40)",
           "Router.__call__ (starlette/routing.py:683)"]


def test_the_innermost_atlas_frame_names_the_stage_whichever_library_does_the_work() -> None:
    stack = [*REQUEST, "query (atlas_gateway/routes/ask.py:44)",
             "AskService.start (atlas_gateway/service/ask.py:77)",
             "Bus.publish (atlas_common/bus/connection.py:90)",
             "BaseModel.model_dump_json (pydantic/main.py:587)"]
    assert stage_of(stack, GATEWAY) == "publish and confirm (RabbitMQ)"


def test_tracing_inside_a_stage_counts_as_tracing_but_an_outer_tracing_middleware_does_not(
) -> None:
    traced = [*REQUEST, "get_principal (atlas_gateway/deps.py:30)",
              "Tracer.start_span (trace/__init__.py:1136)"]
    assert stage_of(traced, GATEWAY) == "tracing and logging"
    wrapped = [*ROOT, "NativeTelemetry.__call__ (fastapi/telemetry/_asgi.py:429)",
               "BodyLimitMiddleware.__call__ (atlas_gateway/middleware.py:40)",
               "solve_dependencies (fastapi/dependencies/utils.py:768)"]
    assert stage_of(wrapped, GATEWAY) == "HTTP parsing, middleware, dependencies"


def test_a_library_task_and_the_bare_loop() -> None:
    worker_root = ["<module> (atlas-query-worker:10)", "run (atlas_query/worker/main.py:30)",
                   "run_worker (atlas_common/service.py:95)", "Runner.run (asyncio/runners.py:118)"]
    assert stage_of([*worker_root, "Channel._reader (aiormq/channel.py:667)"], WORKER) == (
        "consume, ack, job handling (RabbitMQ)")
    assert stage_of([*worker_root, "EpollSelector.select (selectors.py:468)"], WORKER) == OTHER
    assert stage_of(ROOT, GATEWAY) == OTHER


def test_a_narrative_frame_inside_the_planner_is_the_narrative() -> None:
    stack = ["run (atlas_query/worker/main.py:30)",
             "SemanticAnswerer._run (atlas_query/planner/answerer.py:59)",
             "narrate (atlas_query/planner/narrative.py:12)"]
    assert stage_of(stack, WORKER) == "narrative"


def _spent_since(before: Stat) -> Stat | None:
    now = read_stat(before.pid)
    return now if now is not None and now.ticks > before.ticks else None


def test_read_stat_sees_this_process_spend_cpu() -> None:
    before = read_stat(os.getpid())
    assert before is not None and before.pid == os.getpid() and before.ppid == os.getppid()
    deadline = time.monotonic() + 30
    after = None
    while after is None and time.monotonic() < deadline:  # busy: CPU time is what is read
        sum(range(200_000))
        after = _spent_since(before)
    assert after is not None and after.start == before.start


def _snapshot(at: int, stats: list[Stat]) -> Snapshot:
    return Snapshot(at, {"group": {s.pid: s for s in stats}})


def test_delta_counts_a_new_process_from_zero_and_leaves_out_one_of_unknown_past() -> None:
    before = _snapshot(1000, [Stat(1, 0, 1, ticks=500, start=10)])
    after = _snapshot(1200, [
        Stat(1, 0, 1, ticks=600, start=10),    # ran throughout: 100 ticks
        Stat(2, 0, 1, ticks=40, start=1100),   # started in the window: all 40
        Stat(3, 0, 1, ticks=900, start=50),    # ran before, not seen then: unknown, left out
    ])
    tick = os.sysconf("SC_CLK_TCK")
    assert Meter.delta_s(before, after) == {"group": 140 / tick}


def test_a_reused_pid_is_a_new_process() -> None:
    before = _snapshot(1000, [Stat(7, 0, 7, ticks=500, start=10)])
    after = _snapshot(1200, [Stat(7, 0, 7, ticks=30, start=1100)])
    assert Meter.delta_s(before, after) == {"group": 30 / os.sysconf("SC_CLK_TCK")}
