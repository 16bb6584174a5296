"""A running Atlas stack for tests: real processes on the run's private vhost, db and prefix.

Each process writes its output to a log file in the stack's directory; a test can read a
worker's log to see which jobs it took. ``stop()`` sends SIGTERM, then SIGKILL after a bound.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.polling import wait_for

BIN = Path(sys.executable).parent


#: Ports handed to servers a test starts: below Linux's ephemeral range (32768-60999), where
#: no outbound connection takes one, split between xdist workers. A port from ``bind(0)`` is
#: free when asked, but the server binds it a second later; meanwhile another worker could be
#: handed the same port or a client connection take it, and a test then talked to someone
#: else's server (its /healthz said 200, its /api/v1/query 404).
_PORTS = range(20000, 32000)
_SLICES = 8
_handed_out = 0


def _slice() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    size = len(_PORTS) // _SLICES
    first = _PORTS.start + (int(worker) % _SLICES if worker.isdigit() else 0) * size
    return range(first, first + size)


def free_port() -> int:
    """A port nobody listens on, from this worker's own slice (never two tests the same)."""
    global _handed_out
    ports = _slice()
    # begin where this process's id points: two runs at once rarely walk the same ports
    begin = os.getpid() + _handed_out
    for step in range(len(ports)):
        port = ports[(begin + step) % len(ports)]
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out += step + 1
        return port
    raise RuntimeError(f"no free port in {ports}")


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Stack:
    env: dict[str, str]
    directory: Path
    procs: list[Proc] = field(default_factory=list)
    gateway_url: str = ""
    query_api_url: str = ""
    _waiting: list[tuple[str, Proc]] | None = None

    @contextmanager
    def together(self) -> Iterator[None]:
        """The services started inside start side by side and are waited for on leaving
        (start-up is most of a stack fixture's time). Each service's URL is in ``env`` as soon
        as it starts, so those started after it find it; nothing may call them inside."""
        self._waiting = []
        try:
            yield
            for url, proc in self._waiting:
                wait_http(url, proc)
        finally:
            self._waiting = None

    def healthy(self, url: str) -> None:
        """Wait until the process started last answers on ``url`` (inside ``together``: later)."""
        if self._waiting is None:
            wait_http(url, self.procs[-1])
        else:
            self._waiting.append((url, self.procs[-1]))

    def start(
        self, command: str | list[str], name: str, extra_env: dict[str, str] | None = None
    ) -> Proc:
        """Start a console script of the venv (or an argv list) with the stack's environment.
        A name started again logs to a new file; the earlier process's log is kept as
        ``<name>.<n>.log`` for the post-mortem of a failed run."""
        log = self.directory / f"{name}.log"
        if log.exists():
            earlier = sum(1 for _ in self.directory.glob(f"{name}.*.log"))
            log.rename(self.directory / f"{name}.{earlier + 1}.log")
        env = {**os.environ, **self.env, **(extra_env or {})}
        argv = [str(BIN / command)] if isinstance(command, str) else command
        popen = subprocess.Popen(
            argv,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def start_gateway(self, name: str = "gateway", extra_env: dict[str, str] | None = None) -> str:
        port = free_port()
        self.start("atlas-gateway", name, {"ATLAS_GATEWAY_PORT": str(port), **(extra_env or {})})
        url = f"http://127.0.0.1:{port}"
        self.healthy(url + "/healthz")
        return url

    def start_query_api(self) -> str:
        port = free_port()
        self.env["ATLAS_QUERY_API_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-query-api", "query-api", {"ATLAS_QUERY_API_PORT": str(port)})
        self.healthy(self.env["ATLAS_QUERY_API_URL"] + "/healthz")
        return self.env["ATLAS_QUERY_API_URL"]

    def start_auth(self, extra_env: dict[str, str] | None = None) -> str:
        port = free_port()
        self.env["ATLAS_AUTH_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-auth", "auth", {"ATLAS_AUTH_PORT": str(port), **(extra_env or {})})
        self.healthy(self.env["ATLAS_AUTH_URL"] + "/healthz")
        return self.env["ATLAS_AUTH_URL"]

    def start_keys(self, extra_env: dict[str, str] | None = None) -> str:
        """Start the keys service; auth and gateways started afterwards reach it."""
        port = free_port()
        self.env["ATLAS_KEYS_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-keys", "keys", {"ATLAS_KEYS_PORT": str(port), **(extra_env or {})})
        self.healthy(self.env["ATLAS_KEYS_URL"] + "/healthz")
        return self.env["ATLAS_KEYS_URL"]

    def start_entitlements(self, extra_env: dict[str, str] | None = None) -> str:
        """Start the entitlements service; processes started afterwards reach it."""
        port = free_port()
        self.env["ATLAS_ENTITLEMENTS_URL"] = f"http://127.0.0.1:{port}"
        self.start(
            "atlas-entitlements",
            "entitlements",
            {"ATLAS_ENTITLEMENTS_PORT": str(port), **(extra_env or {})},
        )
        self.healthy(self.env["ATLAS_ENTITLEMENTS_URL"] + "/healthz")
        return self.env["ATLAS_ENTITLEMENTS_URL"]

    def start_scheduler(self, name: str = "scheduler",
                        extra_env: dict[str, str] | None = None) -> str:
        """Start a scheduler replica; gateways started afterwards relay to the latest one."""
        port = free_port()
        self.env["ATLAS_SCHEDULER_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-scheduler", name, {"ATLAS_SCHEDULER_PORT": str(port),
                                             **(extra_env or {})})
        self.healthy(self.env["ATLAS_SCHEDULER_URL"] + "/healthz")
        return self.env["ATLAS_SCHEDULER_URL"]

    def start_audit(self, name: str = "audit", extra_env: dict[str, str] | None = None) -> str:
        """Start the audit service; gateways started afterwards relay to it."""
        port = free_port()
        self.env["ATLAS_AUDIT_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-audit", name, {"ATLAS_AUDIT_PORT": str(port), **(extra_env or {})})
        wait_http(self.env["ATLAS_AUDIT_URL"] + "/healthz", self.procs[-1])
        return self.env["ATLAS_AUDIT_URL"]

    def workers(self) -> list[Proc]:
        return [p for p in self.procs if p.name.startswith("worker")]

    def stop(self, proc: Proc, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if proc.popen.poll() is None:
            proc.popen.send_signal(sig)
            try:
                proc.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait(5)
        return proc.popen.returncode

    def stop_all(self, timeout: float = 20) -> None:
        """SIGTERM to every process first, then wait for each: they shut down side by side
        (one after another cost seconds a process in every fixture's teardown)."""
        running = [p for p in reversed(self.procs) if p.popen.poll() is None]
        for proc in running:
            proc.popen.send_signal(signal.SIGTERM)
        for proc in running:
            try:
                proc.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait(5)


def wait_http(url: str, proc: Proc | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.popen.poll() is not None:
            raise RuntimeError(
                f"{proc.name} exited with {proc.popen.returncode}:\n{proc.output()[-3000:]}"
            )
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def worker_consumers(gateway_url: str) -> int:
    """How many query workers consume, as the gateway's /api/health reports it."""
    body = httpx.get(gateway_url + "/api/health", timeout=5).json()
    return int(body["checks"]["workers"]["consumers"])


def wait_for_workers(gateway_url: str, count: int = 1, timeout: float = 60) -> None:
    """Until the gateway counts ``count`` consumers. Its count is a reading up to half a second
    old: after workers stop, it may still count them; wait_ready() tells of given workers."""
    wait_for(lambda: worker_consumers(gateway_url) >= count, timeout=timeout,
             what=f"{count} worker(s) consuming")


def wait_ready(workers: list[Proc], timeout: float = 60) -> None:
    """Until each of these query workers says it consumes; failing at once, with its log, if
    one exits first."""

    def ready() -> bool:
        for proc in workers:
            if proc.popen.poll() is not None:
                raise AssertionError(f"{proc.name} exited:\n{proc.output()[-3000:]}")
        return all('"query worker ready"' in proc.output() for proc in workers)

    wait_for(ready, timeout=timeout, what="the workers started consuming")
