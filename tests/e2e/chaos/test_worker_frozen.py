"""A worker frozen with SIGSTOP mid-job (no supervisor): the broker drops its connection after
two missed AMQP heartbeats and requeues the job; the other worker answers it in full, and
/api/health names the frozen worker as stale until it beats again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.chaos.conftest import ROOT, ChaosStack
from tests.e2e.chaos.helpers import (
    DEMO_QUESTION,
    assert_clean_ending,
    chat_body,
    deltas,
    expected_answer,
    stream_with_fault,
    text_after_last_restart,
)
from tests.support.stack import BIN, Proc, wait_for, wait_ready

pytestmark = pytest.mark.chaos

#: Seconds: the broker closes a silent connection after about two of them.
AMQP_HEARTBEAT_S = "2"
#: Far below the question's deadline (120 s by default, 60 s in the chaos stack).
REDELIVERY_BOUND_S = 40


def _health(chaos: ChaosStack) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(chaos.gateway + "/api/health", timeout=10).json()
    return body


def _start_worker(chaos: ChaosStack, name: str) -> Proc:
    return chaos.stack.start(
        [sys.executable, "-m", "tests.e2e.chaos.crashing_worker"], name,
        {"ATLAS_RABBITMQ_URL": chaos.rabbit_url, "PYTHONPATH": ROOT,
         "ATLAS_AMQP_HEARTBEAT_S": AMQP_HEARTBEAT_S,
         # started_jobs() reads the "job started" record, a DEBUG one.
         "ATLAS_LOG_LEVEL": "DEBUG"},
    )


def _stale_ids(chaos: ChaosStack) -> list[str]:
    return [w["id"] for w in _health(chaos)["checks"]["workers"].get("stale", [])]


def test_frozen_worker_is_replaced_and_reported(chaos: ChaosStack) -> None:
    # Only the two workers of this test consume, so the frozen one is one of them.
    for proc in chaos.live_workers():
        chaos.stack.stop(proc)
    mine = [_start_worker(chaos, f"worker-frozen-{i}") for i in (1, 2)]
    wait_ready(mine)  # /api/health may still count the workers just stopped
    wait_for(lambda: _health(chaos)["checks"]["workers"].get("available") == 2,
             timeout=60, what="two workers consuming and beating")
    answer = expected_answer(chaos.gateway)
    frozen: list[Proc] = []
    frozen_at: list[float] = []

    def freeze(request_id: str, frames) -> bool:  # type: ignore[no-untyped-def]
        if deltas(frames) < 2:
            return False
        holder = chaos.holder_of(request_id)
        holder.popen.send_signal(signal.SIGSTOP)
        frozen.append(holder)
        frozen_at.append(time.monotonic())
        return True

    try:
        _, frames = stream_with_fault(chaos.gateway, chat_body(DEMO_QUESTION, "frozen"), freeze)
        answered_after = time.monotonic() - frozen_at[0]
        # The other worker answered it: one restart, the whole answer once, nothing doubled.
        assert_clean_ending(frames)
        kinds = [f.type for f in frames]
        assert kinds.count("data-restart") == 1 and "error" not in kinds
        assert text_after_last_restart(frames).strip() == answer
        assert answered_after < REDELIVERY_BOUND_S, answered_after
        print(f"\nfrozen worker's question answered by the other {answered_after:.1f} s after "
              f"SIGSTOP (AMQP heartbeat {AMQP_HEARTBEAT_S} s)")
        # /api/health names the frozen worker (hostname-pid) once it is silent past the bound.
        stale = wait_for(lambda: _stale_ids(chaos), timeout=40, what="a stale worker reported")
        assert [s.rsplit("-", 1)[1] for s in stale] == [str(frozen[0].popen.pid)]
        health = _health(chaos)
        assert health["status"] == "degraded"
        workers = health["checks"]["workers"]
        assert workers["status"] == "degraded" and workers["available"] == 1
        assert str(frozen[0].popen.pid) in workers["message"]
        # The container probe of the frozen worker's host fails too.
        probe = subprocess.run([str(BIN / "atlas-query-worker"), "--check"],
                               env={**os.environ, **chaos.stack.env}, capture_output=True,
                               text=True, timeout=60, check=False)
        assert probe.returncode == 1 and f"pid {frozen[0].popen.pid}" in probe.stderr
        # Thawed, it beats again and is healthy; the next question is answered.
        frozen[0].popen.send_signal(signal.SIGCONT)
        wait_for(lambda: not _stale_ids(chaos), timeout=30, what="the thawed worker beating")
        assert expected_answer(chaos.gateway) == answer
    finally:
        for proc in frozen:
            if proc.popen.poll() is None:
                proc.popen.send_signal(signal.SIGCONT)
        for proc in mine:
            chaos.stack.stop(proc)
    # A graceful stop leaves the registry at once: nothing stale left for the next test.
    assert _health(chaos)["checks"]["workers"]["stale"] == []


def test_heartbeat_dir_holds_one_file_per_worker(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)
    directory = Path(chaos.stack.env["ATLAS_WORKER_HEARTBEAT_PATH"])
    pids = {str(p.popen.pid) for p in chaos.live_workers()}
    names = wait_for(
        lambda: {f.name.rsplit("-", 1)[1] for f in directory.iterdir()} >= pids or None,
        timeout=30, what="a heartbeat file per worker",
    )
    assert names
