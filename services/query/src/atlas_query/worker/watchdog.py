"""``atlas-worker-watchdog``: a supervisord event listener that restarts frozen query workers.

supervisord restarts a worker that exits, not one that hangs (SIGSTOP, a blocking call on its
event loop). On every TICK_5 this listener looks at the heartbeat files: a live worker process
silent for more than ``ATLAS_WORKER_STALE_S`` gets SIGKILL. The broker then requeues its unacked
jobs at once and supervisord (autorestart) starts the worker again; its entry leaves the Redis
registry, so /api/health does not go on naming a worker that is gone.

The listener protocol (supervisord docs, "Event Listeners"): write READY, read one header line
and a payload of its ``len``, answer ``RESULT 2\\nOK``. stdout is the protocol channel, so the
log goes to stderr.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import TextIO

from pydantic import ValidationError
from redis import Redis
from redis.exceptions import RedisError

from atlas_common.service import die, settings_error_line
from atlas_common.workers import registry_key
from atlas_query.worker.heartbeat import HeartbeatSettings, stale_workers


def restart_stale(settings: HeartbeatSettings, log: TextIO) -> list[int]:
    """SIGKILL every frozen worker; returns their pids."""
    killed = []
    for beat in stale_workers(settings.heartbeat_dir, settings.worker_stale_s):
        try:
            os.kill(beat.pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        with contextlib.suppress(OSError):
            beat.path.unlink()
        _forget(settings, beat.path.name)
        killed.append(beat.pid)
        print(f"watchdog: worker pid {beat.pid} silent {beat.age_s:.0f} s "
              f"(> {settings.worker_stale_s:g} s): killed, supervisord restarts it",
              file=log, flush=True)
    return killed


def _forget(settings: HeartbeatSettings, wid: str) -> None:
    """Out of the gateway's registry: the restarted worker beats under a new id (its pid)."""
    try:
        with Redis.from_url(settings.redis_url, socket_timeout=2) as redis:
            redis.zrem(registry_key(settings.redis_prefix), wid)
    except (RedisError, OSError):
        pass  # the gateway forgets it after ATLAS_WORKER_FORGET_S anyway


def _next_event(stdin: TextIO, stdout: TextIO) -> str:
    """Block until supervisord sends an event; returns its name."""
    stdout.write("READY\n")
    stdout.flush()
    line = stdin.readline()
    if not line:
        raise EOFError
    headers = dict(token.split(":", 1) for token in line.split())
    stdin.read(int(headers.get("len", "0")))
    return headers.get("eventname", "")


def listen(settings: HeartbeatSettings, stdin: TextIO, stdout: TextIO, log: TextIO) -> None:
    while True:
        try:
            event = _next_event(stdin, stdout)
        except EOFError:
            return  # supervisord is gone
        if event.startswith("TICK"):
            restart_stale(settings, log)
        stdout.write("RESULT 2\nOK")
        stdout.flush()


def run() -> None:
    """Console script; a bad setting stops it with one line (exit 2), as every service."""
    try:
        settings = HeartbeatSettings()
    except ValidationError as exc:
        die("worker-watchdog", settings_error_line(exc))
    listen(settings, sys.stdin, sys.stdout, sys.stderr)
