"""Real Atlas stacks for the SDK and CLI tests: one per auth mode, started once for the package.

Real processes (tests/support/stack.py), as in tests/e2e/conftest.py, on a private database,
vhost and Redis prefix for tests/clients (so no other test's workers take these jobs). The three
modes share that isolation and one query-api (each service owns its own schema, and the
query-api trusts the principal its gateway passes); each mode has its own auth service and
gateway(s). A mode's processes start together and are waited for together, which keeps
tests/clients within its time budget on a small machine.

- ``none_stack``: auth (none) + one worker (slow tokens) + the scheduler + gateway.
- ``key_stack``: auth (simple-key, a viewer key) + a gateway + a gateway limited to 1 request
  a minute (on the shared vhost, the none stack's worker answers its questions, if any).
- ``managed_stack``: keys + auth (managed) + gateway, and its first user (admin).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.stack import Stack, wait_for_workers
from tests.support.stacks import Starter, isolated_stack

#: A pause between streamed tokens, so "mid-answer" is a window a test can hit.
TOKEN_DELAY_MS = "25"
QUESTION = "How many users signed up last week?"
LONG_QUESTION = "Why is the sky blue?"  # the long "can't answer" text: many tokens
KEY = "sk-clients-0123456789abcdef0123456789abcdef"
SECRET = "c" * 40
ADMIN = {"email": "admin@example.com", "password": "correct horse battery", "name": "Ada Admin"}
ARGON2_FOR_TESTS = {"ATLAS_AUTH_ARGON2_TIME_COST": "1", "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192"}
#: Scheduled-task deliveries go to webhook receivers the tests start on 127.0.0.1.
HOOKS = {
    "ATLAS_SCHEDULER_ALLOW_PRIVATE_WEBHOOKS": "true",
    "ATLAS_SCHEDULER_WEBHOOK_SECRET": "clients-tests-webhook-secret",
}


@dataclass
class Running:
    url: str
    stack: Stack
    limited_url: str = ""
    admin_token: str = ""


#: Start several processes at once, then wait for each (tests/support/stacks.py).
_Starter = Starter


@dataclass
class _Base:
    env: dict[str, str]
    directory: Path

    def stack(self, name: str) -> Stack:
        directory = self.directory / name
        directory.mkdir()
        return Stack(dict(self.env), directory)


@pytest.fixture(scope="package")
def _base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Base]:
    directory = tmp_path_factory.mktemp("clients")
    env = {
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_QUERY_DEADLINE_S": "30",
        "ATLAS_STREAM_GRACE_S": "5",
    }
    with isolated_stack(directory, env) as (stack, _):
        stack.start_query_api()
        yield _Base(dict(stack.env), directory)


@pytest.fixture(scope="package")
def none_stack(_base: _Base) -> Iterator[Running]:
    stack = _base.stack("none")
    starter = _Starter(stack)
    try:
        stack.start(
            "atlas-query-worker",
            "worker-1",
            {"ATLAS_WORKER_TOKEN_DELAY_MS": TOKEN_DELAY_MS, "ATLAS_QUERY_CONCURRENCY": "4"},
        )
        auth = starter.start("atlas-auth", "auth", "ATLAS_AUTH_PORT", ATLAS_AUTH_MODE="none")
        scheduler = starter.start("atlas-scheduler", "scheduler", "ATLAS_SCHEDULER_PORT", **HOOKS)
        url = starter.start(
            "atlas-gateway",
            "gateway",
            "ATLAS_GATEWAY_PORT",
            ATLAS_AUTH_URL=auth,
            ATLAS_SCHEDULER_URL=scheduler,
        )
        starter.wait()
        wait_for_workers(url)
        yield Running(url, stack)
    finally:
        stack.stop_all()


@pytest.fixture(scope="package")
def key_stack(_base: _Base) -> Iterator[Running]:
    stack = _base.stack("simple-key")
    starter = _Starter(stack)
    mode = {"ATLAS_AUTH_MODE": "simple-key", "ATLAS_API_KEY": KEY, "ATLAS_API_KEY_ROLE": "viewer"}
    try:
        auth = starter.start("atlas-auth", "auth", "ATLAS_AUTH_PORT", **mode)
        gateway = {"ATLAS_AUTH_URL": auth}
        url = starter.start("atlas-gateway", "gateway", "ATLAS_GATEWAY_PORT", **gateway)
        limited = starter.start(
            "atlas-gateway", "limited", "ATLAS_GATEWAY_PORT", ATLAS_RATE_LIMIT_RPM="1", **gateway
        )
        starter.wait()
        yield Running(url, stack, limited_url=limited)
    finally:
        stack.stop_all()


@pytest.fixture(scope="package")
def managed_stack(_base: _Base) -> Iterator[Running]:
    stack = _base.stack("managed")
    starter = _Starter(stack)
    try:
        keys = starter.start("atlas-keys", "keys", "ATLAS_KEYS_PORT")
        mode = {"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": SECRET, **ARGON2_FOR_TESTS}
        auth = starter.start("atlas-auth", "auth", "ATLAS_AUTH_PORT", ATLAS_KEYS_URL=keys, **mode)
        url = starter.start(
            "atlas-gateway",
            "gateway",
            "ATLAS_GATEWAY_PORT",
            ATLAS_AUTH_URL=auth,
            ATLAS_KEYS_URL=keys,
        )
        starter.wait()
        r = httpx.post(url + "/api/auth/sign-up/email", json=ADMIN, timeout=10)
        assert r.status_code == 200, r.text
        yield Running(url, stack, admin_token=r.json()["token"])
    finally:
        stack.stop_all()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "atlas-config"
