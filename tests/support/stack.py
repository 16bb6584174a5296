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
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.polling import wait_for

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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

    def start(
        self, command: str | list[str], name: str, extra_env: dict[str, str] | None = None
    ) -> Proc:
        """Start a console script of the venv (or an argv list) with the stack's environment."""
        log = self.directory / f"{name}.log"
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
        wait_http(url + "/healthz", self.procs[-1])
        return url

    def start_query_api(self) -> str:
        port = free_port()
        self.env["ATLAS_QUERY_API_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-query-api", "query-api", {"ATLAS_QUERY_API_PORT": str(port)})
        wait_http(self.env["ATLAS_QUERY_API_URL"] + "/healthz", self.procs[-1])
        return self.env["ATLAS_QUERY_API_URL"]

    def start_auth(self, extra_env: dict[str, str] | None = None) -> str:
        port = free_port()
        self.env["ATLAS_AUTH_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-auth", "auth", {"ATLAS_AUTH_PORT": str(port), **(extra_env or {})})
        wait_http(self.env["ATLAS_AUTH_URL"] + "/healthz", self.procs[-1])
        return self.env["ATLAS_AUTH_URL"]

    def start_keys(self, extra_env: dict[str, str] | None = None) -> str:
        """Start the keys service; auth and gateways started afterwards reach it."""
        port = free_port()
        self.env["ATLAS_KEYS_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-keys", "keys", {"ATLAS_KEYS_PORT": str(port), **(extra_env or {})})
        wait_http(self.env["ATLAS_KEYS_URL"] + "/healthz", self.procs[-1])
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
        wait_http(self.env["ATLAS_ENTITLEMENTS_URL"] + "/healthz", self.procs[-1])
        return self.env["ATLAS_ENTITLEMENTS_URL"]

    def start_scheduler(self, name: str = "scheduler",
                        extra_env: dict[str, str] | None = None) -> str:
        """Start a scheduler replica; gateways started afterwards relay to the latest one."""
        port = free_port()
        self.env["ATLAS_SCHEDULER_URL"] = f"http://127.0.0.1:{port}"
        self.start("atlas-scheduler", name, {"ATLAS_SCHEDULER_PORT": str(port),
                                             **(extra_env or {})})
        wait_http(self.env["ATLAS_SCHEDULER_URL"] + "/healthz", self.procs[-1])
        return self.env["ATLAS_SCHEDULER_URL"]

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

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)


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
    wait_for(lambda: worker_consumers(gateway_url) >= count, timeout=timeout,
             what=f"{count} worker(s) consuming")
