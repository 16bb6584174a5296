"""``atlas init`` wall time (issue 18): TPC-H in DuckDB at SF 0.1 and 1, a 60-table PostgreSQL.

Run: ``uv run python bench/atlas_init.py`` (or ``make bench BENCH=bench/atlas_init.py``).

- The command a user runs, ``atlas init --url URL --output DIR --json``, in a subprocess, timed
  from start to exit (interpreter start and imports included), ``--runs`` times (default 3),
  each into a fresh output folder; the median is the figure, min and max beside it.
- TPC-H data from ``tpchgen-cli`` loaded into DuckDB files with the spec's keys; the files are
  kept in ``$TMPDIR/atlas-bench-init`` for the next run (SF 1 takes ~1.5 min to build;
  ``--fresh`` rebuilds). Goal at SF 1: <= 20 s; SF 0.1 -> 1 should stay near flat (the
  profiler samples big tables).
- The 60-table PostgreSQL schema (tests/support/sample_schemas/wide_postgres.py: 3.3 M rows,
  two tables of 1 M) is made in a database of its own and dropped afterwards. Goal: <= 30 s.
- Then one in-process ``profile_database`` per database, to show which tables take the time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from atlas_datasources import ProgressEvent, profile_database
from tests.support import isolation
from tests.support.sample_schemas import loaders, tpch
from tests.support.sample_schemas.databases import open_source
from tests.support.sample_schemas.wide_postgres import create_wide_schema

GOALS_S = {"tpch-sf1-duckdb": 20.0, "wide60-postgres": 30.0}
WORKDIR = Path(tempfile.gettempdir()) / "atlas-bench-init"


def atlas() -> str:
    beside = Path(sys.executable).parent / "atlas"
    return str(beside) if beside.exists() else "atlas"


def tpch_duckdb(scale: float, fresh: bool) -> Path:
    """A DuckDB file of TPC-H at ``scale`` with the spec's keys, built once and kept."""
    path = WORKDIR / f"tpch-sf{scale:g}.duckdb"
    if path.exists() and not fresh:
        return path
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    source = open_source("tpch", WORKDIR, scale)
    try:
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        loaders.load_duckdb(tpch.SCHEMA, source, partial, declare_fks=True)
        partial.rename(path)
    finally:
        source.close()
    print(f"   built {path.name} in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_init(url: str, runs: int) -> tuple[list[float], list[float], dict[str, Any]]:
    """Wall and CPU seconds of ``runs`` ``atlas init`` runs, and the last run's JSON summary.
    CPU (the child's user + system) moves less than wall time when the machine is shared."""
    walls: list[float] = []
    cpus: list[float] = []
    summary: dict[str, Any] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="atlas-init-") as out:
            cpu, started = _children_cpu_s(), time.perf_counter()
            done = subprocess.run(
                [atlas(), "init", "--url", url, "--output", f"{out}/semantic", "--json"],
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            walls.append(time.perf_counter() - started)
            cpus.append(_children_cpu_s() - cpu)
        if done.returncode != 0:
            raise SystemExit(f"atlas init failed ({done.returncode}): {done.stderr[-2000:]}")
        summary = json.loads(done.stdout)
    return walls, cpus, summary


@dataclass
class Figures:
    case: str
    times: list[float]
    cpu: list[float]
    summary: dict[str, Any]
    slowest: list[tuple[str, int, float]] = field(default_factory=list)  # table, rows, s
    inference_s: float = 0.0
    profile_s: float = 0.0  # the whole in-process profile_database call

    @property
    def median_s(self) -> float:
        return statistics.median(self.times)

    def line(self) -> str:
        goal = GOALS_S.get(self.case)
        verdict = (
            ""
            if goal is None
            else f"  goal <= {goal:.0f} s: " + ("met" if self.median_s <= goal else "MISSED")
        )
        s = self.summary
        return (
            f"{self.case:<18} median {self.median_s:6.2f} s (min {min(self.times):.2f}, "
            f"max {max(self.times):.2f}), CPU {statistics.median(self.cpu):.2f} s  "
            f"tables {s.get('tables')}  joins "
            f"{s.get('joinsDeclared')} declared / {s.get('joinsInferred')} inferred{verdict}"
        )

    def detail(self) -> str:
        slow = ", ".join(f"{t} ({r:,} rows) {sec:.1f} s" for t, r, sec in self.slowest)
        return (
            f"{'':<18} in-process profile {self.profile_s:.2f} s: slowest {slow}; "
            f"key inference {self.inference_s:.2f} s"
        )


def profile_detail(figures: Figures, url: str, top: int = 3) -> None:
    """Which tables take the time, and how long inference takes, in one in-process profile."""
    finished: list[ProgressEvent] = []
    marks: dict[str, float] = {}

    def keep(event: ProgressEvent) -> None:
        marks[event.kind] = time.perf_counter()
        if event.kind == "table_finished":
            finished.append(event)

    started = time.perf_counter()
    asyncio.run(profile_database(url, on_progress=keep))
    figures.profile_s = time.perf_counter() - started
    ranked = sorted(finished, key=lambda e: -(e.elapsed_s or 0))[:top]
    figures.slowest = [(str(e.table), e.row_count or 0, e.elapsed_s or 0.0) for e in ranked]
    figures.inference_s = marks["finished"] - marks["inferring_keys"]


def measure(case: str, url: str, runs: int) -> Figures:
    figures = Figures(case, *time_init(url, runs))
    profile_detail(figures, url)
    print(figures.line(), flush=True)
    print(figures.detail(), flush=True)
    return figures


def wide_postgres(runs: int) -> Figures:
    name = f"atlas_bench_init_{uuid.uuid4().hex[:8]}"
    url = isolation.create_database(name)
    try:
        started = time.perf_counter()
        rows = asyncio.run(create_wide_schema(url))
        print(
            f"   made 60 tables, {rows:,} rows in {time.perf_counter() - started:.0f} s", flush=True
        )
        return measure("wide60-postgres", url, runs)
    finally:
        isolation.drop_database(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["tpch", "postgres"])
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached TPC-H files")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    if args.fresh:
        shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    print(f"atlas init wall time, {args.runs} runs each (median; a shared machine: noisy)")
    results = []
    if args.only in (None, "tpch"):
        for scale in (0.1, 1.0):
            path = tpch_duckdb(scale, args.fresh)
            results.append(measure(f"tpch-sf{scale:g}-duckdb", f"duckdb:///{path}", args.runs))
        small, big = (r.median_s for r in results[:2])
        print(f"growth SF 0.1 -> 1 (10x the rows): x{big / small:.2f} wall time")
    if args.only in (None, "postgres"):
        results.append(wide_postgres(args.runs))
    if args.json:
        print(json.dumps([asdict(r) | {"median_s": r.median_s} for r in results], indent=2))


if __name__ == "__main__":
    main()
