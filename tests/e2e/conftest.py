"""The running Atlas stacks of the e2e package: one with API keys (gateway, two workers,
query-api and the rest) and one in managed auth (tests/support/stacks.py), each started on first
use and stopped when the package is done (not at the end of the session: under pytest-xdist a
worker goes on to other packages, and PostgreSQL's connections are shared)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _pytest.nodeid import coerce_node_id

from tests.support.isolation import (  # noqa: F401 - this package's own isolation fixture
    Isolation,
    package_isolation,
)
from tests.support.stack import Stack, wait_for_workers
from tests.support.stacks import ManagedStack, start_managed, stop_managed


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis names each operation's item (``test_none_mode[GET /api/health]``), but under
    pytest 9 every item of one test gets the same node id, and pytest-xdist's ``--dist loadfile``
    keeps one item per node id: it ran one operation per test, silently. Each such item gets its
    name as its node id (pytest has no public setter), and a duplicate left stops the run."""
    renamed = [item for item in items if "[" in item.name and "[" not in item.nodeid]
    for item in renamed:
        item._id = coerce_node_id(item.nodeid.rsplit("::", 1)[0] + "::" + item.name)
    ids = [item.nodeid for item in renamed]
    if len(set(ids)) != len(ids):
        raise pytest.UsageError("tests/e2e/conftest.py: schemathesis items share a node id")


#: A pause between streamed tokens so that "mid-answer" is a window a test can hit.
TOKEN_DELAY_MS = "25"


@pytest.fixture(scope="package")
def stack(isolation: Isolation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("stack")
    env = {
        **isolation.env(),
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_LOG_JSON": "true",
        "ATLAS_QUERY_CONCURRENCY": "4",
        "ATLAS_WORKER_TOKEN_DELAY_MS": TOKEN_DELAY_MS,
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_STREAM_GRACE_S": "0.5",
        "ATLAS_QUERY_DEADLINE_S": "30",
    }
    s = Stack(env, directory)
    try:
        with s.together():
            # DEBUG: the "job started" record, which says which worker took a job, is a DEBUG one.
            s.start("atlas-query-worker", "worker-1", {"ATLAS_LOG_LEVEL": "DEBUG"})
            s.start("atlas-query-worker", "worker-2", {"ATLAS_LOG_LEVEL": "DEBUG"})
            s.start_keys()  # the API key routes answer as documented (tests/e2e/test_openapi_*)
            s.start_auth()
            s.start_query_api()
            s.start_scheduler()  # /api/v1/scheduled-tasks (tests/e2e/test_scheduled_tasks.py)
            s.start_audit()  # /api/v1/admin/audit*, relayed by the gateway
            s.gateway_url = s.start_gateway()
        wait_for_workers(s.gateway_url, 2)
        yield s
    finally:
        s.stop_all()


@pytest.fixture(scope="package")
def managed_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedStack]:
    managed = start_managed(tmp_path_factory.mktemp("managed-stack"))
    try:
        yield managed
    finally:
        stop_managed(managed)


@pytest.fixture(scope="package")
def gateway(stack: Stack) -> str:
    return stack.gateway_url


@pytest.fixture(scope="package")
def demo_db(stack: Stack) -> Path:
    return Path(stack.env["ATLAS_DEMO_DB_PATH"])
