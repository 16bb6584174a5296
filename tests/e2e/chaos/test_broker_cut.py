"""RabbitMQ connections cut through the proxy: refuse cleanly while down, lose no job, fence."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.e2e.chaos.conftest import ChaosStack
from tests.e2e.chaos.helpers import (
    DEMO_QUESTION,
    assert_clean_ending,
    chat_body,
    deltas,
    expected_answer,
    stream_with_fault,
    text_after_last_restart,
)
from tests.support.stack import wait_for

pytestmark = pytest.mark.chaos
LONG_QUESTION = "Why is the sky blue?"


def _ask(gateway: str) -> httpx.Response:
    return httpx.post(gateway + "/api/v1/query", json={"question": DEMO_QUESTION}, timeout=90)


def test_gateway_cut_from_broker_answers_unavailable_then_recovers(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)
    chaos.gateway_proxy.cut()
    try:
        refused = wait_for(
            lambda: (r := _ask(chaos.gateway)).status_code == 503 and r,
            timeout=15,
            what="503 while the broker is unreachable",
        )
        assert refused.json()["error"] == "unavailable"
        assert int(refused.headers["retry-after"]) >= 1
    finally:
        chaos.gateway_proxy.restore()
    wait_for(
        lambda: _ask(chaos.gateway).status_code == 200,
        timeout=60,
        interval=0.5,
        what="the gateway answering again after reconnect",
    )


def test_in_flight_answer_survives_workers_cut_from_broker(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)
    expected = expected_answer(chaos.gateway, LONG_QUESTION)

    def restore() -> None:
        for proxy in chaos.worker_proxies.values():
            proxy.restore()

    timer = threading.Timer(1.5, restore)  # an outage of 1.5 s, then the network is back

    def cut_workers(request_id: str, frames) -> bool:  # type: ignore[no-untyped-def]
        if deltas(frames) < 2:
            return False
        # The holder last: cut first, its job would go back to a worker still connected for
        # the moment before its own cut, and come back a second time (the stack's delivery
        # limit is 2). One outage, one redelivery is what this test is about.
        holder = chaos.worker_proxies[chaos.holder_of(request_id).name]
        for proxy in [p for p in chaos.worker_proxies.values() if p is not holder] + [holder]:
            proxy.cut()
        timer.start()
        return True

    try:
        body = chat_body(LONG_QUESTION, "cut-all")
        _, frames = stream_with_fault(chaos.gateway, body, cut_workers)
    finally:
        timer.cancel()
        restore()
    assert_clean_ending(frames)
    assert "error" not in [f.type for f in frames], [f.data for f in frames if f.type == "error"]
    assert text_after_last_restart(frames).strip() == expected
    wait_for(lambda: chaos.consumers() >= 2, timeout=60, interval=0.5, what="workers reconnect")
    assert _ask(chaos.gateway).status_code == 200


def test_worker_cut_off_keeps_publishing_but_is_fenced(chaos: ChaosStack) -> None:
    chaos.ensure_workers(2)
    expected = expected_answer(chaos.gateway, LONG_QUESTION)
    cut: list[str] = []

    def cut_holder(request_id: str, frames) -> bool:  # type: ignore[no-untyped-def]
        if deltas(frames) < 2:
            return False
        holder = chaos.holder_of(request_id)
        chaos.worker_proxies[holder.name].cut()
        cut.append(holder.name)
        return True

    try:
        _, frames = stream_with_fault(chaos.gateway, chat_body(LONG_QUESTION, "fence"), cut_holder)
    finally:
        for name in cut:
            chaos.worker_proxies[name].restore()
    assert_clean_ending(frames)
    kinds = [f.type for f in frames]
    assert kinds.count("data-restart") == 1
    restart_at = kinds.index("data-restart")
    old_parts = {f.json["id"] for f in frames[:restart_at] if f.type == "text-delta"}
    after = [f for f in frames[restart_at:] if f.type == "text-delta"]
    assert after and not {f.json["id"] for f in after} & old_parts, "old attempt interleaved"
    assert text_after_last_restart(frames).strip() == expected
    wait_for(lambda: chaos.consumers() >= 2, timeout=60, interval=0.5, what="worker reconnects")
