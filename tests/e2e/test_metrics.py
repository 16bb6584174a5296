"""/metrics on every process of a running stack: listed, served where documented, and moving.

The gateway and the worker serve /metrics on ATLAS_METRICS_PORT (the gateway never on its
public port unless ATLAS_METRICS_PUBLIC=true); auth and query-api on their own port without
the internal token. One question moves the request histogram, the job counters and the
queue-wait and first-token histograms; every metric deploy/observability's rules and
dashboard use is exposed by some process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy.test_observability import used_metrics
from tests.support.polling import wait_for
from tests.support.stack import Stack, free_port, wait_for_workers, wait_http
from tests.support.stacks import isolated_stack

QUESTION = "How many users signed up last week?"
LONG_QUESTION = "Why is the sky blue?"  # the long "can't answer" text: many paced tokens
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@dataclass
class Metered:
    stack: Stack
    gateway: str
    urls: dict[str, str]  # process -> its /metrics URL


def scrape(url: str) -> Samples:
    r = httpx.get(url, timeout=5)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def metered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Metered]:
    directory = tmp_path_factory.mktemp("metrics")
    # its own stack: metrics ports, and exact counts (one consumer, one open stream).
    worker_port, gateway_port = free_port(), free_port()
    env = {
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_TOKEN_DELAY_MS": "25",
    }
    with isolated_stack(directory, env) as (stack, _):
        with stack.together():
            worker = stack.start(
                "atlas-query-worker", "worker-1", {"ATLAS_METRICS_PORT": str(worker_port)}
            )
            auth = stack.start_auth()
            query_api = stack.start_query_api()
            gateway = stack.start_gateway(extra_env={"ATLAS_METRICS_PORT": str(gateway_port)})
        wait_for_workers(gateway, 1)
        urls = {
            "gateway": f"http://127.0.0.1:{gateway_port}/metrics",
            "query-worker": f"http://127.0.0.1:{worker_port}/metrics",
            "auth": auth + "/metrics",
            "query-api": query_api + "/metrics",
        }
        wait_http(urls["query-worker"], worker)
        yield Metered(stack, gateway, urls)


def test_every_process_serves_metrics_without_a_token(metered: Metered) -> None:
    for name, url in metered.urls.items():
        samples = scrape(url)
        assert any(n.startswith("process_cpu_seconds") for n, _ in samples), name
        assert ("atlas_http_requests_in_flight", frozenset()) in samples, name


def test_the_public_gateway_port_has_no_metrics_unless_told(metered: Metered) -> None:
    assert httpx.get(metered.gateway + "/metrics", timeout=5).status_code == 404
    public = metered.stack.start_gateway("gateway-public", {"ATLAS_METRICS_PUBLIC": "true"})
    assert "atlas_http_request_duration_seconds" in httpx.get(public + "/metrics").text


def test_one_question_moves_requests_jobs_and_waits(metered: Metered) -> None:
    gw, wk = metered.urls["gateway"], metered.urls["query-worker"]
    before_gw, before_wk = scrape(gw), scrape(wk)
    r = httpx.post(metered.gateway + "/api/v1/query", json={"question": QUESTION}, timeout=60)
    assert r.status_code == 200 and r.json()["sql"], r.text
    route = {"route": "/api/v1/query", "method": "POST", "status": "200"}
    name = "atlas_http_request_duration_seconds_count"
    wait_for(
        lambda: value(scrape(gw), name, **route) == value(before_gw, name, **route) + 1,
        timeout=10,
        what="the request counted at the gateway",
    )

    def moved(series: str, **labels: str) -> bool:
        return value(scrape(wk), series, **labels) == value(before_wk, series, **labels) + 1

    for series, labels in [
        ("atlas_jobs_total", {"outcome": "answered"}),
        ("atlas_job_duration_seconds_count", {"outcome": "answered"}),
        ("atlas_job_queue_wait_seconds_count", {}),
        ("atlas_time_to_first_token_seconds_count", {}),
    ]:
        wait_for(partial(moved, series, **labels), timeout=10, what=series)


def test_queue_consumers_and_streams_are_read(metered: Metered) -> None:
    gw = metered.urls["gateway"]
    wait_for(
        lambda: value(scrape(gw), "atlas_query_queue_consumers") == 1,
        timeout=20,
        what="one consumer of the query queue",
    )
    body = {
        "id": "chat-metrics",
        "messages": [
            {"id": "m1", "role": "user", "parts": [{"type": "text", "text": LONG_QUESTION}]}
        ],
    }
    with httpx.stream("POST", metered.gateway + "/api/v1/chat", json=body, timeout=60) as r:
        assert r.status_code == 200
        chunks = r.iter_bytes()
        next(chunks)  # the stream is open now: its first frame came
        now = scrape(gw)
        rest = b"".join(chunks)
        assert value(now, "atlas_streams_open") == 1
        assert b'"type":"finish"' in rest
    wait_for(
        lambda: value(scrape(gw), "atlas_streams_open") == 0,
        timeout=10,
        what="the stream counted as closed",
    )


def test_every_metric_of_the_rules_and_dashboard_is_exposed(metered: Metered) -> None:
    exposed: set[str] = set()
    for url in metered.urls.values():
        for family in text_string_to_metric_families(httpx.get(url, timeout=5).text):
            exposed.add(family.name)
            exposed.update(s.name for s in family.samples)
    # A labelled metric nobody has touched yet has no sample: its family is still listed.
    families = {
        n.removesuffix(s)
        for n in used_metrics()
        for s in ("_bucket", "_count", "_sum", "_total")
        if n.endswith(s)
    }
    missing = {n for n in used_metrics() if n not in exposed} - {
        n for n in used_metrics() if any(n.startswith(f) for f in families & exposed)
    }
    assert not missing, missing
