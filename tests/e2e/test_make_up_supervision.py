"""`make up` under supervisord: a worker killed with SIGKILL is started again, its stream
completes on the other worker, the rest of the system runs on; SIGTERM to make's process group
stops every process.

The Makefile's own `up` recipe runs (`make -o install up`: the venv is already in place) on this
module's private vhost, database and Redis prefix, with every service on a free port.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.e2e.chaos.helpers import (
    DEMO_QUESTION,
    assert_clean_ending,
    chat_body,
    deltas,
    expected_answer,
    stream_with_fault,
    text_after_last_restart,
)
from tests.support.isolation import Isolation
from tests.support.polling import wait_for
from tests.support.stack import free_port, worker_consumers

ROOT = Path(__file__).resolve().parents[2]
SPAWNED = re.compile(r"spawned: '(worker_\d+)' with pid (\d+)")
SERVICES = ("AUTH", "KEYS", "ENTITLEMENTS", "QUERY_API")


@dataclass
class Supervised:
    make: subprocess.Popen[bytes]
    log: Path
    gateway: str

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> dict[str, int]:
        """worker name -> pid of its latest start, as supervisord reports it."""
        return {name: int(pid) for name, pid in SPAWNED.findall(self.output())}

    def holder_of(self, request_id: str) -> str | None:
        """The worker whose prefixed log line says it started that job."""
        for line in self.output().splitlines():
            name, _, rest = line.partition("|")
            if '"job started"' not in rest:
                continue
            with contextlib.suppress(ValueError):  # a line still being written
                if json.loads(rest).get("request_id") == request_id:
                    return name.strip()
        return None


def _descendants(root: int) -> set[int]:
    """Every live (not zombie) process under ``root``, read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def _environment(isolation: Isolation, directory: Path) -> tuple[dict[str, str], int]:
    env = {
        **os.environ,
        **isolation.env(),
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_LOG_JSON": "true",
        "ATLAS_LOG_LEVEL": "DEBUG",  # the workers' "job started" records are DEBUG ones
        # Slow tokens: the kill lands while the answer is still streaming.
        "ATLAS_WORKER_TOKEN_DELAY_MS": "40",
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_STREAM_GRACE_S": "0.5",
        # A frozen worker is stale (and killed by the watchdog) after 8 s instead of 15.
        "ATLAS_WORKER_HEARTBEAT_S": "1",
        "ATLAS_WORKER_STALE_S": "8",
    }
    env.pop("ATLAS_MCP", None)
    for service in SERVICES:
        port = free_port()
        env[f"ATLAS_{service}_PORT"] = str(port)
        env[f"ATLAS_{service}_URL"] = f"http://127.0.0.1:{port}"
    gateway_port = free_port()
    env["ATLAS_GATEWAY_PORT"] = str(gateway_port)
    return env, gateway_port


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervised]:
    directory = tmp_path_factory.mktemp("make-up")
    isolation = Isolation().create()
    env, port = _environment(isolation, directory)
    log = directory / "make-up.log"
    make = subprocess.Popen(
        ["make", "-s", "-o", "install", "up", "QUERY_WORKERS=2"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    up = Supervised(make, log, f"http://127.0.0.1:{port}")
    try:
        wait_for(lambda: _consumers(up) == 2, timeout=60, what="two workers consuming")
        yield up
    finally:
        leftovers = _descendants(make.pid)
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        for pid in leftovers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        make.wait(10)
        isolation.remove()


def _consumers(up: Supervised) -> int:
    if up.make.poll() is not None:
        raise RuntimeError(f"make up exited with {up.make.returncode}:\n{up.output()[-3000:]}")
    try:
        return worker_consumers(up.gateway)
    except (httpx.HTTPError, KeyError, ValueError):
        return 0


def test_killed_worker_is_restarted_and_the_rest_runs_on(supervised: Supervised) -> None:
    up = supervised
    assert f"gateway on {up.gateway} with 2 query worker(s)" in up.output()
    answer = expected_answer(up.gateway)
    before = up.worker_pids()
    assert sorted(before) == ["worker_0", "worker_1"]
    killed: list[str] = []

    def kill(request_id: str, frames) -> bool:  # type: ignore[no-untyped-def]
        holder = up.holder_of(request_id) if deltas(frames) >= 2 else None
        if holder is None:
            return False
        os.kill(before[holder], signal.SIGKILL)
        killed.append(holder)
        return True

    _, frames = stream_with_fault(up.gateway, chat_body(DEMO_QUESTION, "supervised-kill"), kill)
    # The in-flight stream completes: the job went to the other worker, one restart frame.
    assert_clean_ending(frames)
    kinds = [f.type for f in frames]
    assert kinds.count("data-restart") == 1 and "error" not in kinds
    assert text_after_last_restart(frames).strip() == answer
    # The others ran on and the next question is answered.
    assert expected_answer(up.gateway) == answer
    # supervisord started the killed worker again: a new pid, two consumers again.
    wait_for(
        lambda: up.worker_pids()[killed[0]] != before[killed[0]],
        timeout=20,
        what="the killed worker started again",
    )
    wait_for(lambda: _consumers(up) == 2, timeout=30, what="two workers consuming again")
    survivor = next(name for name in before if name != killed[0])
    assert up.worker_pids()[survivor] == before[survivor]


def test_frozen_worker_is_killed_by_the_watchdog_and_started_again(
    supervised: Supervised,
) -> None:
    """supervisord alone restarts only what exits: the TICK_5 watchdog kills a worker whose
    heartbeat is stale (SIGSTOP here), then supervisord starts it again."""
    up = supervised
    wait_for(lambda: _consumers(up) == 2, timeout=30, what="two workers consuming")
    before = up.worker_pids()
    os.kill(before["worker_1"], signal.SIGSTOP)
    wait_for(lambda: up.worker_pids()["worker_1"] != before["worker_1"], timeout=60,
             what="the frozen worker killed and started again")
    assert f"watchdog: worker pid {before['worker_1']} silent" in up.output()
    assert not _alive(before["worker_1"])
    wait_for(lambda: _consumers(up) == 2, timeout=60, what="two workers consuming again")
    assert up.worker_pids()["worker_0"] == before["worker_0"]
    # /api/health serves its last background reading: the killed worker's exit reaches it soon
    wait_for(lambda: _stale_workers(up) == [], timeout=30, what="the killed worker leaving the "
             "registry")
    assert expected_answer(up.gateway)


def _stale_workers(up: Supervised) -> list[object]:
    health = httpx.get(up.gateway + "/api/health", timeout=10).json()
    return list(health["checks"]["workers"]["stale"])


def test_sigterm_to_the_process_group_stops_everything(supervised: Supervised) -> None:
    up = supervised
    processes = _descendants(up.make.pid)
    assert len(processes) >= 12, processes  # uv, supervisord, 6 services and their log prefixers
    os.killpg(up.make.pid, signal.SIGTERM)
    up.make.wait(30)
    wait_for(
        lambda: not [pid for pid in processes if _alive(pid)],
        timeout=10,
        what="every process of make up gone",
    )
    with pytest.raises(httpx.ConnectError):
        httpx.get(up.gateway + "/healthz", timeout=2)
