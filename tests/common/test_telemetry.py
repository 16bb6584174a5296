"""Logging set up by ``setup_logging``: everything a process prints to stderr is JSON.

A child process sets logging up, then produces each kind of output that used to escape as plain
text or noise: a warning, an exception in a thread, an un-retrieved task exception, httpx's line
per call (with a query string), an "Exception ignored in", and finally an uncaught exception.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

CHILD = r"""
import asyncio, gc, logging, threading, warnings
from atlas_common.telemetry import setup_logging
setup_logging("probe", LEVEL)
log = logging.getLogger("probe")
log.info("hello", extra={"answer": 42})
log.debug("not at INFO")
warnings.warn("a deprecated thing", DeprecationWarning, stacklevel=1)
thread = threading.Thread(target=lambda: 1 / 0, name="doomed")
thread.start(); thread.join()
async def fail(): raise ValueError("never retrieved")
async def main():
    task = asyncio.get_running_loop().create_task(fail())
    await asyncio.sleep(0.01)
    del task
asyncio.run(main()); gc.collect()
logging.getLogger("httpx").info('HTTP Request: %s %s "%s %d %s"', "GET",
                                "http://svc/x?token=SECRET", "HTTP/1.1", 200, "OK")
class Broken:
    def __del__(self): raise RuntimeError("in a finaliser")
Broken(); gc.collect()
raise SystemError("nobody caught me")
"""


Run = tuple[int, list[dict[str, Any]]]


def run_child(level: str) -> Run:
    code = CHILD.replace("LEVEL", repr(level))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    lines = done.stderr.splitlines()
    assert lines, done.stdout
    return done.returncode, [json.loads(line) for line in lines]  # a plain line fails here


@pytest.fixture(scope="module")
def at_info() -> Run:
    return run_child("INFO")


@pytest.fixture(scope="module")
def at_debug() -> Run:
    return run_child("DEBUG")


def test_everything_on_stderr_is_one_json_object_per_line(at_info: Run) -> None:
    code, records = at_info
    assert code == 1
    by_msg = {r["msg"].splitlines()[0] if r["msg"] else "": r for r in records}
    assert by_msg["hello"]["answer"] == 42 and by_msg["hello"]["service"] == "probe"
    assert not any(r["msg"] == "not at INFO" for r in records)
    assert any(r["logger"] == "py.warnings" and "a deprecated thing" in r["msg"]
               for r in records)
    thread = next(r for r in records if r["msg"] == "uncaught exception in a thread")
    assert thread["thread_name"] == "doomed" and "ZeroDivisionError" in thread["exc"]
    assert any(r["logger"] == "asyncio" and "never retrieved" in r.get("exc", "")
               for r in records)
    assert any("in a finaliser" in r.get("exc", "") for r in records)
    last = records[-1]
    assert (last["level"], last["msg"]) == ("critical", "uncaught exception")
    assert "SystemError: nobody caught me" in last["exc"]


def test_httpx_lines_are_debug_only_and_never_carry_the_query(at_info: Run,
                                                               at_debug: Run) -> None:
    assert not any(r["logger"] == "httpx" for r in at_info[1])  # DEBUG: not written at INFO
    httpx_lines = [r for r in at_debug[1] if r["logger"] == "httpx"]
    assert [r["level"] for r in httpx_lines] == ["debug"]
    assert httpx_lines[0]["msg"] == 'HTTP Request: GET http://svc/x "HTTP/1.1 200 OK"'
    assert any(r["msg"] == "not at INFO" for r in at_debug[1])


def test_timestamps_are_utc_with_milliseconds(at_info: Run) -> None:
    _, records = at_info
    ts = records[0]["ts"]
    assert ts.endswith("Z") and len(ts) == len("2026-01-01T00:00:00.000Z")
