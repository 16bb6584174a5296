"""Start the private servers (in parallel, each until it answers), run the command while they
serve, stop them after it: Atlas stops before its servers, so no service logs a lost connection
on the way down."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType

from tools.devservers.server import Cancelled, Server, StartFailed

_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PREFIX = "servers     | "  # the width of supervisord's program prefixes


class _Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def say(message: str) -> None:
    print(PREFIX + message, flush=True)


def run_with(servers: list[Server], command: list[str]) -> int:
    failure = _start_all(servers)
    if failure is not None:
        _stop_all(servers)
        if isinstance(failure, StartFailed):
            print(f"atlas-devservers: {failure}", file=sys.stderr, flush=True)
            return 1
        return 128 + failure.signum
    code = _serve(command)
    _stop_all(servers)
    return code


def _start_all(servers: list[Server]) -> StartFailed | _Interrupted | None:
    """None once every server answers; else why not (what was launched is still to stop)."""
    cancel = threading.Event()
    failures: list[StartFailed] = []
    threads = [
        threading.Thread(target=_start_one, args=(s, cancel, failures), daemon=True)
        for s in servers
    ]
    for server in servers:
        kept = "first start" if server.first_start() else "data kept from the last run"
        say(
            f"{server.name}: nothing answers on {server.endpoint.address}; starting a private "
            f"one in {server.directory} ({kept})"
        )
    _handle(_raise_interrupted)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except _Interrupted as interrupted:
        _handle(_ignore)
        cancel.set()
        for thread in threads:
            thread.join()
        return interrupted
    _handle(_ignore)
    return failures[0] if failures else None


def _start_one(server: Server, cancel: threading.Event, failures: list[StartFailed]) -> None:
    began = time.monotonic()
    try:
        server.start(cancel)
    except Cancelled:
        return
    except StartFailed as failure:
        failures.append(failure)
        cancel.set()  # the others would be stopped at once anyway
        return
    except Exception as error:  # e.g. a data folder it may not write: still one line
        failures.append(StartFailed(f"the private {server.name} could not start: {error}"))
        cancel.set()
        return
    say(f"{server.name} ready on {server.endpoint.address} in {time.monotonic() - began:.1f} s")


def _serve(command: list[str]) -> int:
    """Run the command (in this process group: the terminal's Ctrl-C reaches it too), passing
    on the signals this process gets; without one, wait for a signal."""
    if not command:
        signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        say("private servers running; Ctrl-C stops them")
        signal.sigwait(_SIGNALS)
        return 0
    child = subprocess.Popen(command)
    _handle(lambda signum, _frame: child.send_signal(signum))
    code = child.wait()
    _handle(_ignore)
    return 128 - code if code < 0 else code


def _stop_all(servers: list[Server]) -> None:
    launched = [s for s in reversed(servers) if s.launched]
    if not launched:
        return
    say("stopping the private " + ", ".join(s.name for s in launched))
    threads = [threading.Thread(target=s.stop) for s in launched]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    say("private servers stopped")


def _handle(handler: Callable[[int, FrameType | None], object]) -> None:
    for signum in _SIGNALS:
        signal.signal(signum, handler)


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise _Interrupted(signum)


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """A second Ctrl-C while servers stop must not leave one of them running."""
