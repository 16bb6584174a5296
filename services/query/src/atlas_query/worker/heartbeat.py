"""One heartbeat per worker process: a file of its own, and an entry in the Redis registry.

The file, ``<ATLAS_WORKER_HEARTBEAT_DIR>/<hostname>-<pid>``, is for what runs beside the worker
and has no Redis: the container healthcheck and the Kubernetes probes (``atlas-query-worker
--check``), and the supervisord watchdog (``atlas-worker-watchdog``). The registry entry
(:mod:`atlas_common.workers`) is for the gateway. Both are written by a task on the worker's
event loop, so a frozen loop (SIGSTOP, a blocking call) stops both.

This module stays light (no broker, database or agent import): the probes run it every 10 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import AliasChoices, Field
from redis.asyncio import Redis
from redis.exceptions import RedisError

from atlas_common import workers
from atlas_common.settings import CommonSettings

log = logging.getLogger(__name__)


class HeartbeatSettings(CommonSettings):
    heartbeat_dir: Path = Field(
        Path("/tmp/atlas-worker-heartbeats"),  # noqa: S108 - the healthcheck and watchdog read it
        # The old name still works; it now names the directory of one file per worker.
        validation_alias=AliasChoices("ATLAS_WORKER_HEARTBEAT_DIR", "ATLAS_WORKER_HEARTBEAT_PATH"),
        description="Directory of the worker heartbeat files, one per process.",
    )


@dataclass(frozen=True, slots=True)
class BeatFile:
    path: Path
    pid: int
    age_s: float


def prepare_dir(directory: Path) -> None:
    """Create the directory (replacing a file left by the one-file-per-machine layout) and drop
    the files of this host's processes that are gone."""
    if directory.is_file():
        directory.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    for beat in beat_files(directory):
        if not _alive(beat.pid):
            with contextlib.suppress(OSError):
                beat.path.unlink()


def beat_files(directory: Path) -> list[BeatFile]:
    """This host's heartbeat files (other hosts may share the directory only on a shared disk)."""
    host = socket.gethostname()
    now = time.time()
    found = []
    with contextlib.suppress(OSError):
        for path in directory.iterdir():
            name, _, pid = path.name.rpartition("-")
            if name != host or not pid.isdigit():
                continue
            with contextlib.suppress(OSError):
                found.append(BeatFile(path, int(pid), now - path.stat().st_mtime))
    return found


def _alive(pid: int) -> bool:
    """A running (or stopped) worker process with this pid; a reused pid is not a worker."""
    cmdline = Path(f"/proc/{pid}/cmdline")
    if Path("/proc/self").exists():
        try:
            return b"worker" in cmdline.read_bytes()
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_workers(directory: Path, stale_s: float) -> list[BeatFile]:
    """Live worker processes whose heartbeat is older than ``stale_s`` (frozen ones)."""
    return [b for b in beat_files(directory) if b.age_s > stale_s and _alive(b.pid)]


def check(settings: HeartbeatSettings) -> tuple[bool, str]:
    """The probe: healthy when a worker process beats here and none is stale."""
    live = [b for b in beat_files(settings.heartbeat_dir) if _alive(b.pid)]
    if not live:
        return False, f"no worker heartbeat in {settings.heartbeat_dir}"
    stale = [b for b in live if b.age_s > settings.worker_stale_s]
    if stale:
        ages = ", ".join(f"pid {b.pid} silent {b.age_s:.0f} s" for b in stale)
        return False, f"stale worker heartbeat: {ages}"
    return True, f"{len(live)} worker(s) beating"


class Heartbeat:
    """The beating task of one worker process."""

    def __init__(self, settings: HeartbeatSettings, redis: Redis) -> None:
        self.settings = settings
        self.redis = redis
        self.worker_id = workers.worker_id()
        self.path = settings.heartbeat_dir / self.worker_id

    async def run(self) -> None:
        s = self.settings
        with contextlib.suppress(OSError):
            await asyncio.to_thread(prepare_dir, s.heartbeat_dir)
        while True:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(self.path.touch)
            try:
                await workers.beat(self.redis, s.redis_prefix, self.worker_id,
                                   forget_s=s.worker_forget_s)
                await self._forget_gone_neighbours()
            except (RedisError, OSError) as exc:
                log.warning("heartbeat could not reach Redis: %r", exc)
            await asyncio.sleep(s.worker_heartbeat_s)

    async def _forget_gone_neighbours(self) -> None:
        """Drop the registry entries of this host's workers whose process is gone.

        A worker killed outright (a crash, SIGKILL, the OOM killer) cannot leave the registry;
        its replacement on the same host knows at once that it is gone, so /api/health does not
        report it as stale for ``ATLAS_WORKER_FORGET_S``. Entries of other hosts age out.
        """
        host = socket.gethostname()
        gone = []
        for wid in await workers.members(self.redis, self.settings.redis_prefix):
            wid_host, pid = workers.split_id(wid)
            if wid_host == host and pid is not None and not _alive(pid):
                gone.append(wid)
        for wid in gone:
            await workers.leave(self.redis, self.settings.redis_prefix, wid)

    async def stop(self) -> None:
        """A graceful stop: out of the registry at once, and no file left behind."""
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(RedisError, OSError):
            await workers.leave(self.redis, self.settings.redis_prefix, self.worker_id)
