"""The worker heartbeat files, the probe (`atlas-query-worker --check`) and the supervisord
watchdog (`atlas-worker-watchdog`), with real processes standing in for workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from atlas_common.workers import registry_key
from tests.support.isolation import Isolation
from tests.support.polling import wait_for

BIN = Path(sys.executable).parent
STALE_S = 5


@pytest.fixture
def fake_worker() -> Iterator[subprocess.Popen[bytes]]:
    """A process whose command line names it a worker (the probe ignores reused pids)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "fake-worker"])
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


def _beat(directory: Path, pid: int, age_s: float) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / f"{socket.gethostname()}-{pid}"
    path.touch()
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def _env(directory: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    return {**clean, "ATLAS_WORKER_HEARTBEAT_DIR": str(directory),
            "ATLAS_WORKER_STALE_S": str(STALE_S)}


def _check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "atlas-query-worker"), "--check"], env=_env(directory),
                          capture_output=True, text=True, timeout=60, check=False)


def test_check_passes_on_a_fresh_beat_and_fails_on_a_stale_or_missing_one(
    tmp_path: Path, fake_worker: subprocess.Popen[bytes]
) -> None:
    directory = tmp_path / "beats"
    assert _check(directory).returncode == 1, "no heartbeat at all is unhealthy"
    path = _beat(directory, fake_worker.pid, age_s=0)
    assert _check(directory).returncode == 0
    _beat(directory, fake_worker.pid, age_s=STALE_S + 30)
    result = _check(directory)
    assert result.returncode == 1 and f"pid {fake_worker.pid}" in result.stderr
    # A file of a process that is gone is not this container's worker: ignored.
    fake_worker.kill()
    fake_worker.wait(10)
    assert path.exists() and _check(directory).returncode == 1
    assert "no worker heartbeat" in _check(directory).stderr


def _tick(watchdog: subprocess.Popen[str]) -> str:
    """One supervisord TICK_5 event; returns the listener's answer."""
    assert watchdog.stdin is not None and watchdog.stdout is not None
    assert watchdog.stdout.readline() == "READY\n"
    payload = f"when:{int(time.time())}"
    watchdog.stdin.write(f"ver:3.0 server:supervisor serial:1 pool:worker-watchdog "
                         f"poolserial:1 eventname:TICK_5 len:{len(payload)}\n{payload}")
    watchdog.stdin.flush()
    return watchdog.stdout.readline() + watchdog.stdout.read(2)


def test_watchdog_kills_a_frozen_worker_and_spares_a_beating_one(
    tmp_path: Path, isolation: Isolation
) -> None:
    directory = tmp_path / "beats"
    argv = [sys.executable, "-c", "import time; time.sleep(120)", "fake-worker"]
    frozen = subprocess.Popen(argv)
    beating = subprocess.Popen(argv)
    client = redis.Redis.from_url(isolation.redis_url)
    prefix = f"{isolation.redis_prefix}watchdog-test:"  # the run's registry has other workers
    registry = registry_key(prefix)
    frozen_id = f"{socket.gethostname()}-{frozen.pid}"
    beating_id = f"{socket.gethostname()}-{beating.pid}"
    client.zadd(registry, {frozen_id: time.time() - 60, beating_id: time.time()})
    env = {**_env(directory), "ATLAS_REDIS_URL": isolation.redis_url,
           "ATLAS_REDIS_PREFIX": prefix}
    watchdog = subprocess.Popen([str(BIN / "atlas-worker-watchdog")], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    try:
        frozen.send_signal(signal.SIGSTOP)
        stale_file = _beat(directory, frozen.pid, age_s=STALE_S + 30)
        _beat(directory, beating.pid, age_s=0)
        assert _tick(watchdog) == "RESULT 2\nOK"
        assert wait_for(lambda: frozen.poll() is not None, timeout=10, what="frozen killed")
        assert frozen.returncode == -signal.SIGKILL
        assert not stale_file.exists()
        # Out of the gateway's registry too; the beating one stays.
        assert [m.decode() for m in client.zrange(registry, 0, -1)] == [beating_id]
        assert _tick(watchdog) == "RESULT 2\nOK"  # still listening
        assert beating.poll() is None
    finally:
        client.delete(registry)
        client.close()
        for proc in (frozen, beating, watchdog):
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
    assert watchdog.stderr is not None
    assert f"worker pid {frozen.pid} silent" in watchdog.stderr.read()


async def test_a_beat_forgets_this_hosts_workers_that_are_gone(
    tmp_path: Path, isolation: Isolation, fake_worker: subprocess.Popen[bytes]
) -> None:
    """A worker killed outright cannot leave the registry: its same-host neighbour's next beat
    drops it (so /api/health does not call it stale for minutes); other hosts' entries stay."""
    from redis.asyncio import Redis

    from atlas_query.worker.heartbeat import Heartbeat, HeartbeatSettings

    dead_pid = _a_worker_pid_that_is_gone()
    prefix = f"{isolation.redis_prefix}prune-test:"
    host = socket.gethostname()
    entries = {f"{host}-{dead_pid}": time.time() - 60, f"{host}-{fake_worker.pid}": time.time(),
               "other-host-42": time.time() - 60}
    client = Redis.from_url(isolation.redis_url)
    await client.zadd(registry_key(prefix), entries)
    settings = HeartbeatSettings(ATLAS_REDIS_PREFIX=prefix, ATLAS_WORKER_HEARTBEAT_DIR=tmp_path)
    try:
        await Heartbeat(settings, client)._forget_gone_neighbours()
        left = {m.decode() for m in await client.zrange(registry_key(prefix), 0, -1)}
        assert left == {f"{host}-{fake_worker.pid}", "other-host-42"}
    finally:
        await client.delete(registry_key(prefix))
        await client.aclose()


def _a_worker_pid_that_is_gone() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass", "fake-worker"])
    proc.wait(10)
    return proc.pid
