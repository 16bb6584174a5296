"""Flame graphs of the gateway and the worker under the CPU bench's load, and a cost per stage.

Run: ``make bench BENCH=bench/profile_stage.py`` (or ``uv run python bench/profile_stage.py``;
``BENCH_RATE`` default 40/s, ``BENCH_SECONDS`` default 30, ``BENCH_PROFILE_DIR`` where the SVGs
go, default /tmp/atlas-profile). The same stack and load as ``bench/cpu_per_question.py``: wrk
offers ``POST /api/v1/query`` with the five demo questions at a fixed rate while py-spy samples
each process with ``--gil``: only samples of the thread holding the GIL, i.e. Python running
(py-spy's idle detection misreads threads parked in ``Condition.wait`` and uvloop's C loop as
busy here; the GIL is exact). Each sampled stack goes to a stage (bench/perf/stages.py says
how); a stage's milliseconds per question are its samples over the sampling rate over the
answers, and what the process's CPU from /proc (same window) has beyond their sum ran with
the GIL released (C code, system calls, DuckDB).

py-spy needs ptrace (root, or CAP_SYS_PTRACE). It is the bench's own dev dependency.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import Isolation
from tests.support.stack import Stack

from bench.ask_path import wait_workers
from bench.cpu_per_question import (
    build_meter,
    demo_questions,
    proc_named,
    sign_up,
    stack_env,
    start_stack,
    warm_up,
)
from bench.perf import wrk
from bench.perf.proc_cpu import Meter
from bench.perf.stages import OTHER, STAGES, Stage, stage_of

RATE = float(os.environ.get("BENCH_RATE", "40"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
SAMPLE_HZ = 200
PY_SPY = Path(sys.executable).parent / "py-spy"
PROFILED = ("gateway", "worker")


def py_spy(pid: int, out: Path, fmt: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(PY_SPY), "record", "--pid", str(pid), "--rate", str(SAMPLE_HZ), "--gil",
         "--duration", f"{int(SECONDS)}", "--format", fmt, "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def collapsed(path: Path) -> Counter[str]:
    """py-spy's raw format: ``frame;frame;...;frame count`` per line, outermost first."""
    counts: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if stack:
            counts[stack] += int(n)
    return counts


def stage_table(counts: Counter[str], stages: tuple[Stage, ...]) -> Counter[str]:
    samples: Counter[str] = Counter()
    for stack, n in counts.items():
        samples[stage_of(stack.split(";"), stages)] += n
    return samples


def profile(stack: Stack, load: wrk.Load, meter: Meter, out_dir: Path) -> dict[str, object]:
    """Flame graphs into ``out_dir``, the raw stacks beside the stack's logs."""
    spies = []
    for name in PROFILED:
        pid = proc_named(stack, name).popen.pid
        spies.append(py_spy(pid, out_dir / f"profile-{name}.svg", "flamegraph"))
        spies.append(py_spy(pid, stack.directory / f"profile-{name}.txt", "raw"))
    time.sleep(1)  # py-spy attaches before the load starts (a start-up delay, not a wait)
    before = meter.snapshot()
    result = wrk.run(load, 16, SECONDS - 2, rate=RATE)
    used = Meter.delta_s(before, meter.snapshot())
    for spy in spies:
        _, err = spy.communicate(timeout=SECONDS + 60)
        if spy.returncode != 0:
            raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')}")
    report: dict[str, object] = {"answers": result.answered, "errors": result.errors}
    for name in PROFILED:
        samples = stage_table(collapsed(stack.directory / f"profile-{name}.txt"), STAGES[name])
        cpu_ms = used[name] * 1000 / max(1, result.answered)
        report[name] = print_stages(name, samples, cpu_ms, result.answered)
    return report


def print_stages(name: str, samples: Counter[str], cpu_ms: float, answers: int) -> dict[
    str, float
]:
    """Each stage's Python time per question (its GIL-holding samples over the sampling rate);
    what the process's /proc CPU has beyond their sum ran with the GIL released."""
    print(f"\n-- {name}: {cpu_ms:.2f} ms CPU per question (/proc), "
          f"{sum(samples.values())} samples holding the GIL")
    rows = {}
    for stage in [s.name for s in STAGES[name]] + [OTHER]:
        if samples[stage]:
            rows[stage] = samples[stage] / SAMPLE_HZ * 1000 / max(1, answers)
            print(f"   {stage:<58} {rows[stage]:6.2f} ms/q  {rows[stage] / cpu_ms:6.1%}")
    rows["outside Python (GIL released: C code, system calls)"] = max(
        0.0, cpu_ms - sum(rows.values()))
    for stage in list(rows)[-1:]:
        print(f"   {stage:<58} {rows[stage]:6.2f} ms/q  {rows[stage] / cpu_ms:6.1%}")
    return rows


async def main() -> None:
    wrk.ensure_wrk()
    out_dir = Path(os.environ.get("BENCH_PROFILE_DIR", "/tmp/atlas-profile"))
    out_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before measuring
    iso = await asyncio.to_thread(Isolation().create)
    directory = Path("/tmp/atlas-bench-profile")
    directory.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before measuring
    stack = Stack(stack_env(iso, directory), directory)
    try:
        await asyncio.to_thread(start_stack, stack)
        url = stack.gateway_url
        await wait_workers(url, 1)
        authorization = await asyncio.to_thread(sign_up, url)
        questions = await asyncio.to_thread(demo_questions, url, authorization)
        await warm_up(url, {"authorization": authorization}, questions)
        bodies = tuple(json.dumps({"question": q}) for q in questions)
        load = wrk.Load(url, "/api/v1/query", "POST", bodies, authorization)
        meter = await asyncio.to_thread(build_meter, stack, iso)
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
              f"{RATE:g} questions/s offered for {SECONDS:g} s; py-spy at {SAMPLE_HZ} Hz")
        report = await asyncio.to_thread(profile, stack, load, meter, out_dir)
        print(f"\nflame graphs: {out_dir}/profile-gateway.svg, {out_dir}/profile-worker.svg; "
              f"{report['answers']} answers, {report['errors']} errors")
    finally:
        await asyncio.to_thread(stack.stop_all)
        await asyncio.to_thread(iso.remove)


if __name__ == "__main__":
    asyncio.run(main())
