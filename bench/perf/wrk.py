"""The native load generator of the benches: Debian's ``wrk`` driven by ``load.lua``.

A Python client on the same two cores measures itself as much as the server (issue 23), so
every throughput figure comes from wrk. ``run`` returns what the script's ``done()`` printed as
JSON, plus the CPU time wrk itself used (reported apart, never counted as Atlas's).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("load.lua")
MARKER = "WRK_JSON "


def ensure_wrk() -> str:
    """The path of wrk; installs Debian's package when missing (as the chromium fixture does)."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise SystemExit("wrk is missing and apt-get is not available: install wrk")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    for step in (install, ["apt-get", "update", "-q"], install):  # a stale list: refresh once
        done = subprocess.run(step, env=env, capture_output=True, timeout=600, check=False)
        if step is install and done.returncode == 0:
            break
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("could not install Debian's wrk (apt-get install -y wrk)")
    return found


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: int  # connect, read, write, timeouts and non-2xx/3xx answers
    latency_ms: dict[str, float]  # mean, max, p50, p90, p95, p99
    client_cpu_s: float  # wrk's own user + system time
    statuses: dict[int, int]  # answers per HTTP status

    @property
    def answered(self) -> int:
        return self.requests - self.errors

    @property
    def rps(self) -> float:
        return self.answered / self.seconds


@dataclass(frozen=True)
class Load:
    """What wrk sends: ``bodies`` in turn (none for a GET), with the credential if any."""

    url: str  # base URL, e.g. http://127.0.0.1:8000
    path: str
    method: str = "GET"
    bodies: tuple[str, ...] = ()
    authorization: str = ""


def run(load: Load, connections: int, seconds: float, rate: float = 0) -> WrkResult:
    """One wrk run on one thread (a second thread would take a core from the servers).

    ``rate`` > 0 offers that many requests a second (the script's ``delay()`` paces them);
    ``connections`` must then be enough to keep up with the latency.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write("\n".join(load.bodies) + "\n")
        bodies_file = f.name if load.bodies else "-"
    argv = [
        ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s",
        "-s", str(SCRIPT), load.url + load.path, "--",
        load.method, load.path, bodies_file, f"{rate:g}",
    ]
    env = {**os.environ, "ATLAS_BENCH_AUTHORIZATION": load.authorization}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False,
                              timeout=seconds + 60)
    finally:
        os.unlink(f.name)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return _parse(done, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))


def _parse(done: subprocess.CompletedProcess[str], cpu_s: float) -> WrkResult:
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix(MARKER))
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors",
                                  "status_errors", "timeouts"))
    return WrkResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        errors=errors,
        latency_ms={k: v / 1000 for k, v in raw["latency_us"].items()},
        client_cpu_s=cpu_s,
        statuses={int(k): v for k, v in raw["statuses"].items()},
    )
