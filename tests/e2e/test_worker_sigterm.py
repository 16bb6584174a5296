"""A busy worker given SIGTERM: it stops taking jobs, hands back what it cannot finish within
its grace, and every question is answered exactly once, by it or by another worker.

The session stack's two workers stay; a third, slow one (a long pause between tokens, a short
grace) joins, takes its share of a burst and is stopped while its jobs run.
"""

from __future__ import annotations

import json
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.chaos.helpers import DEMO_QUESTION, assert_clean_ending, chat_body
from tests.support.polling import wait_for
from tests.support.sse import SseFrame, parse_sse
from tests.support.stack import Proc, Stack, wait_for_workers, wait_ready, worker_consumers
from tests.support.tcp_proxy import TcpProxy, url_via

QUESTIONS = 12  # three workers x concurrency 4: the slow one gets about four
SLOW = {
    "ATLAS_LOG_LEVEL": "DEBUG",  # "job started" says which worker took a job
    "ATLAS_WORKER_TOKEN_DELAY_MS": "200",  # an answer takes several seconds
    "ATLAS_WORKER_SHUTDOWN_GRACE_S": "1",  # too short for the jobs in hand: some go back
}


def _ask(gateway: str, n: int) -> tuple[str, list[SseFrame]]:
    body = chat_body(DEMO_QUESTION, f"sigterm-{n}")
    with httpx.stream("POST", gateway + "/api/v1/chat", json=body, timeout=90) as r:
        assert r.status_code == 200, r.read()
        return r.headers["x-request-id"], list(parse_sse(r.iter_lines()))


def _started(proc: Proc) -> set[str]:
    return {
        json.loads(line)["request_id"]
        for line in proc.output().splitlines()
        if '"job started"' in line
    }


def _answer_text(frames: list[SseFrame]) -> str:
    kinds = [f.type for f in frames]
    start = max((i for i, k in enumerate(kinds) if k == "data-restart"), default=-1)
    return "".join(f.json["delta"] for f in frames[start + 1 :] if f.type == "text-delta")


def _answer(gateway: str) -> str:
    r = httpx.post(gateway + "/api/v1/query", json={"question": DEMO_QUESTION}, timeout=60)
    assert r.status_code == 200, r.text
    return str(r.json()["answer"])


def test_sigterm_on_a_busy_worker_answers_each_job_once(stack: Stack, gateway: str) -> None:
    expected = _answer(gateway)
    slow = stack.start("atlas-query-worker", "worker-sigterm", SLOW)
    try:
        wait_ready([slow])  # the gateway's count alone may still hold a worker just stopped
        wait_for_workers(gateway, 3)
        with ThreadPoolExecutor(QUESTIONS) as pool:
            asks = [pool.submit(_ask, gateway, n) for n in range(QUESTIONS)]
            wait_for(lambda: len(_started(slow)) >= 2, timeout=30, interval=0.05,
                     what="the slow worker to start jobs")
            slow.popen.send_signal(signal.SIGTERM)
            stopped_at = time.monotonic()
            code = slow.popen.wait(20)
            stop_s = time.monotonic() - stopped_at
            results = dict(future.result(timeout=90) for future in asks)
    finally:
        stack.stop(slow)
    assert code == 0, slow.output()[-3000:]
    assert stop_s < 1 + 3 + 6, f"stopped in {stop_s:.1f} s"  # grace + hand-back + closing
    assert len(results) == QUESTIONS
    for request_id, frames in results.items():
        assert_clean_ending(frames)  # exactly one finish, no frame twice
        assert "error" not in [f.type for f in frames], (request_id, frames)
        assert _answer_text(frames).strip() == expected, request_id
    handed_back = [rid for rid in _started(slow) if _restarted(results[rid])]
    assert "grace over, handing jobs back" in slow.output()
    assert handed_back, "no job of the stopped worker was answered elsewhere"


def _restarted(frames: list[SseFrame]) -> bool:
    return any(f.type == "data-restart" for f in frames)


def test_sigterm_with_the_broker_gone_stops_within_a_bound(stack: Stack, gateway: str) -> None:
    rabbit = re.sub(r"^amqp://", "http://", stack.env["ATLAS_RABBITMQ_URL"])
    parts = httpx.URL(rabbit)
    proxy = TcpProxy(parts.host, parts.port or 5672).start()
    url = url_via(stack.env["ATLAS_RABBITMQ_URL"], proxy.port)
    worker = stack.start("atlas-query-worker", "worker-lost-broker", {"ATLAS_RABBITMQ_URL": url})
    try:
        wait_ready([worker])  # else a SIGTERM during its imports kills it outright
        wait_for_workers(gateway, 3)
        proxy.cut()  # the broker is gone: connections dropped, new ones refused
        # its consumer is gone from the queue: the broker saw the connection drop
        wait_for(lambda: worker_consumers(gateway) == 2, timeout=30, what="the consumer gone")
        worker.popen.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = worker.popen.wait(20)
        stop_s = time.monotonic() - started
    finally:
        stack.stop(worker)
        proxy.close()
    assert code == 0, worker.output()[-3000:]
    assert stop_s < 8, f"stopped in {stop_s:.1f} s with the broker gone"  # was over 20 s
