"""CPU time of processes from /proc (utime + stime, every thread), grouped by component.

A component is a way to find its pids, asked again at every snapshot: an Atlas process with
every process of its session (the stack starts each one in a session of its own), this run's
PostgreSQL backends (a pool may open one more under load), or a shared server and its
children. The difference of two snapshots is the CPU each component spent between them: a pid
that started in between counts from zero, one that already ran but was not found before is left
out (its past is unknown), one that exited in between loses its share.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Stat:
    pid: int
    ppid: int
    session: int
    ticks: int  # utime + stime
    start: int  # clock ticks after boot


def read_stat(pid: int) -> Stat | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
    # fields[0] is field 3 (state): ppid is field 4, session 6, utime 14, stime 15.
    # starttime is field 22.
    return Stat(pid, int(fields[1]), int(fields[3]), int(fields[11]) + int(fields[12]),
                int(fields[19]))


def uptime_ticks() -> int:
    return int(float(Path("/proc/uptime").read_text().split()[0]) * TICK)


def all_stats() -> list[Stat]:
    stats = (read_stat(int(p)) for p in os.listdir("/proc") if p.isdigit())
    return [s for s in stats if s is not None]


def session_members(leader: int) -> set[int]:
    """The leader and every process of its session (a console script and what it spawned)."""
    return {s.pid for s in all_stats() if s.session == leader} | {leader}


def descendants(root: int) -> set[int]:
    stats = all_stats()
    found = {root}
    grew = True
    while grew:
        more = {s.pid for s in stats if s.ppid in found} - found
        grew = bool(more)
        found |= more
    return found


@dataclass(frozen=True)
class Snapshot:
    at: int  # clock ticks after boot
    groups: dict[str, dict[int, Stat]]


@dataclass
class Meter:
    """Named ways to find pids; ``shared`` names the servers other work also uses."""

    groups: dict[str, Callable[[], set[int]]] = field(default_factory=dict)
    shared: set[str] = field(default_factory=set)

    def add(self, name: str, find: Callable[[], set[int]], *, shared: bool = False) -> None:
        self.groups[name] = find
        if shared:
            self.shared.add(name)

    def snapshot(self) -> Snapshot:
        at = uptime_ticks()
        return Snapshot(at, {
            name: {pid: s for pid in find() if (s := read_stat(pid)) is not None}
            for name, find in self.groups.items()
        })

    @staticmethod
    def delta_s(before: Snapshot, after: Snapshot) -> dict[str, float]:
        """CPU seconds per group between two snapshots."""
        out = {}
        for name, stats in after.groups.items():
            old = before.groups.get(name, {})
            ticks = 0
            for pid, s in stats.items():
                if pid in old and old[pid].start == s.start:
                    ticks += s.ticks - old[pid].ticks
                elif s.start >= before.at:
                    ticks += s.ticks
            out[name] = ticks / TICK
        return out


def redis_pid(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


def rabbitmq_pid() -> int:
    """The pid of the Erlang VM of the node rabbitmqctl reaches (the shared broker)."""
    out = subprocess.run(["rabbitmqctl", "-q", "eval", "os:getpid()."], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    return int(out.strip().strip('"'))
