"""A stack for fault tests: private Redis, RabbitMQ behind proxies, slow token emission."""

from __future__ import annotations

import contextlib
import itertools
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.chaos import crashing_worker
from tests.e2e.chaos.matrix_stack import MatrixStack, matrix_stack
from tests.e2e.chaos.recovery import RECOVERIES, summary_lines
from tests.support.isolation import Isolation
from tests.support.redis_server import PrivateRedis
from tests.support.stack import Proc, Stack, wait_for, wait_ready, worker_consumers
from tests.support.tcp_proxy import TcpProxy, url_via

POISON = crashing_worker.POISON
#: The fault matrix (private PostgreSQL / RabbitMQ, services stopped in turn) runs under
#: `make chaos` (`-m chaos`) only: it is too long for `make test`'s budget.
CHAOS_ONLY = "chaos_only"
ROOT = str(Path(__file__).resolve().parents[3])  # where `tests` imports from


@dataclass
class ChaosStack:
    stack: Stack
    redis: PrivateRedis
    gateway_proxy: TcpProxy
    worker_proxies: dict[str, TcpProxy]
    rabbit_url: str

    @property
    def gateway(self) -> str:
        return self.stack.gateway_url

    def start_worker(self, name: str) -> Proc:
        proxy = self.worker_proxies.get(name)
        if proxy is None:
            proxy = self.worker_proxies[name] = TcpProxy(*_host_port(self.rabbit_url)).start()
        return self.stack.start(  # the worker with the crashing answerer installed
            [sys.executable, "-m", "tests.e2e.chaos.crashing_worker"], name,
            {"ATLAS_RABBITMQ_URL": url_via(self.rabbit_url, proxy.port), "PYTHONPATH": ROOT,
             "ATLAS_LOG_LEVEL": "DEBUG"},  # started_jobs reads "job started", a DEBUG record
        )

    def live_workers(self) -> list[Proc]:
        return [p for p in self.stack.workers() if p.popen.poll() is None]

    def consumers(self) -> int:
        return worker_consumers(self.gateway)

    def ensure_workers(self, count: int = 2) -> None:
        """At least ``count`` workers consuming, starting only the missing ones (a test before
        may have left others running, under names of its own)."""
        names = {p.name for p in self.live_workers()}
        free = (f"worker-{i}" for i in itertools.count(1) if f"worker-{i}" not in names)
        started = [self.start_worker(next(free)) for _ in range(count - len(names))]
        wait_ready(started)
        wait_for(lambda: self.consumers() >= count, timeout=60, what=f"{count} consumers")

    def started_jobs(self) -> dict[str, Proc]:
        """request id -> the live worker whose log says it started that job (latest wins)."""
        jobs: dict[str, Proc] = {}
        for proc in self.live_workers():
            for line in proc.output().splitlines():
                if '"job started"' in line:
                    with contextlib.suppress(ValueError):
                        jobs[json.loads(line)["request_id"]] = proc
        return jobs

    def holder_of(self, request_id: str) -> Proc:
        found = wait_for(
            lambda: self.started_jobs().get(request_id),
            timeout=10,
            interval=0.02,
            what="the worker holding the job",
        )
        assert isinstance(found, Proc)
        return found


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 5672



@pytest.fixture(scope="session")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChaosStack]:
    iso = Isolation().create()
    directory = tmp_path_factory.mktemp("chaos")
    redis = PrivateRedis(directory).start()
    gateway_proxy = TcpProxy(*_host_port(iso.rabbitmq_url)).start()
    env = {
        **iso.env(),
        "ATLAS_REDIS_URL": redis.url,
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_TOKEN_DELAY_MS": "40",
        "ATLAS_JOB_DELIVERY_LIMIT": "2",
        "ATLAS_QUERY_CONCURRENCY": "4",
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_QUERY_DEADLINE_S": "60",
        "ATLAS_STREAM_GRACE_S": "30",
    }
    stack = Stack(env, directory)
    chaos = ChaosStack(stack, redis, gateway_proxy, {}, iso.rabbitmq_url)
    try:
        stack.start_auth()
        stack.start_query_api()
        stack.gateway_url = stack.start_gateway(
            extra_env={"ATLAS_RABBITMQ_URL": url_via(iso.rabbitmq_url, gateway_proxy.port)}
        )
        chaos.ensure_workers(2)
        yield chaos
    finally:
        stack.stop_all()
        for proxy in [gateway_proxy, *chaos.worker_proxies.values()]:
            proxy.close()
        redis.stop()
        iso.remove()


@pytest.fixture(scope="session")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatrixStack]:
    yield from matrix_stack(tmp_path_factory.mktemp("matrix"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{CHAOS_ONLY}: a fault-matrix test, run by make chaos only")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "chaos" in (config.option.markexpr or ""):
        return
    skipped = [item for item in items if item.get_closest_marker(CHAOS_ONLY)]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = [item for item in items if not item.get_closest_marker(CHAOS_ONLY)]


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if RECOVERIES:
        terminalreporter.section("fault matrix: measured recovery")
        for line in summary_lines():
            terminalreporter.write_line(line)
