"""What the three private servers share: a sub-folder of the data folder, a process started in
its own session (so the terminal's Ctrl-C reaches Atlas, not the servers, which are stopped
after it) and a bounded wait until the server answers its own protocol."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from threading import Event

from tools.devservers.endpoints import Endpoint


class StartFailed(Exception):
    """A private server did not come up; the message is one line for the terminal."""


class Cancelled(Exception):
    """Ctrl-C or SIGTERM arrived while a server was starting."""


class Server(ABC):
    name: str  # as people call it: PostgreSQL
    package: str  # the Debian package that installs it
    folder: str  # its sub-folder of the data folder
    start_timeout: float = 60

    def __init__(self, endpoint: Endpoint, root: Path, bin_dirs: str) -> None:
        self.endpoint = endpoint
        self.directory = root / self.folder
        self.bin_dirs = bin_dirs
        self.launched = False

    @abstractmethod
    def missing(self) -> str | None:
        """The binary not found (None: installed)."""

    @abstractmethod
    def first_start(self) -> bool:
        """Nothing kept from an earlier run yet."""

    @abstractmethod
    def start(self, cancel: Event) -> None:
        """Start and return once it answers; StartFailed or Cancelled otherwise."""

    @abstractmethod
    def stop(self) -> None:
        """Stop it if it was launched (clean shutdown, SIGKILL past a bound)."""

    @abstractmethod
    def log_path(self) -> Path: ...

    def wait_until(
        self, ready: Callable[[], bool], exited: Callable[[], bool], cancel: Event
    ) -> None:
        deadline = time.monotonic() + self.start_timeout
        while not ready():
            if cancel.is_set():
                raise Cancelled
            if exited():
                raise StartFailed(
                    f"the private {self.name} exited at start: {self.last_log_line()}"
                )
            if time.monotonic() > deadline:
                raise StartFailed(
                    f"the private {self.name} did not answer on "
                    f"{self.endpoint.address} within {self.start_timeout:.0f} s"
                )
            time.sleep(0.1)  # a poll interval, not a wait for propagation

    def last_log_line(self) -> str:
        """The last non-empty line of its log, for the one-line error (and the log's path)."""
        path = self.log_path()
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        last = next((line.strip() for line in reversed(lines) if line.strip()), "no output")
        return f"{last[-300:]} (log: {path})"


def launch(
    argv: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Its own session: the terminal's signals go to Atlas only; the servers are stopped last."""
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )


def terminate(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM to its process group (every server shuts down cleanly on it), SIGKILL past the
    bound."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
