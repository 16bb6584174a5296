"""One running Atlas stack for the e2e session: gateway, two workers and query-api."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.isolation import Isolation
from tests.support.stack import Stack, wait_for_workers

#: A pause between streamed tokens so that "mid-answer" is a window a test can hit.
TOKEN_DELAY_MS = "25"


@pytest.fixture(scope="session")
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
        # DEBUG: the "job started" record, which says which worker took a job, is a DEBUG one.
        s.start("atlas-query-worker", "worker-1", {"ATLAS_LOG_LEVEL": "DEBUG"})
        s.start("atlas-query-worker", "worker-2", {"ATLAS_LOG_LEVEL": "DEBUG"})
        s.start_keys()  # the API key routes answer as documented (tests/e2e/test_openapi_*)
        s.start_auth()
        s.start_query_api()
        s.start_scheduler()  # /api/v1/scheduled-tasks (tests/e2e/test_scheduled_tasks.py)
        s.gateway_url = s.start_gateway()
        wait_for_workers(s.gateway_url, 2)
        yield s
    finally:
        s.stop_all()



@pytest.fixture(scope="session")
def gateway(stack: Stack) -> str:
    return stack.gateway_url


@pytest.fixture(scope="session")
def demo_db(stack: Stack) -> Path:
    return Path(stack.env["ATLAS_DEMO_DB_PATH"])
