"""One real stack for the TypeScript SDK's tests, started once for this package.

On the isolation and query-api of tests/clients (``_base``): a worker (25 ms between tokens,
so a stream can be cut mid-answer), keys, the scheduler, auth in managed mode, a gateway and a
gateway limited to 1 request a minute. The first user signs up (admin) and makes the API key
the SDK uses; node gets them as ``ATLAS_URL``, ``ATLAS_API_KEY``, ``ATLAS_LIMITED_URL`` and
``ATLAS_ADMIN_TOKEN``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.clients.conftest import (
    ADMIN,
    ARGON2_FOR_TESTS,
    HOOKS,
    SECRET,
    TOKEN_DELAY_MS,
    _Base,
    _Starter,
)
from tests.support.stack import wait_for_workers

ROOT = Path(__file__).resolve().parents[3]
SDK = ROOT / "clients" / "typescript"


@dataclass(frozen=True)
class NodeEnv:
    env: dict[str, str]

    def run(
        self, *argv: str, cwd: Path = SDK, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run a command (in clients/typescript) with the stack's variables; output captured."""
        return subprocess.run(
            argv,
            cwd=cwd,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _admin_key(url: str) -> tuple[str, str]:
    """Sign the first user up (admin) and make an API key: (session token, key).

    The auth schema is shared with tests/clients' managed stack: when that one made the admin
    already, sign-up is by invitation, so sign in as that admin.
    """
    r = httpx.post(url + "/api/auth/sign-up/email", json=ADMIN, timeout=30)
    if r.status_code == 403:
        login = {"email": ADMIN["email"], "password": ADMIN["password"]}
        r = httpx.post(url + "/api/auth/sign-in/email", json=login, timeout=30)
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    auth = {"authorization": f"Bearer {token}"}
    r = httpx.post(
        url + "/api/auth/api-key/create", json={"name": "sdk-tests"}, headers=auth, timeout=30
    )
    assert r.status_code == 200, r.text
    return token, r.json()["key"]


@pytest.fixture(scope="package")
def node_stack(_base: _Base) -> Iterator[NodeEnv]:
    stack = _base.stack("typescript")
    starter = _Starter(stack)
    mode = {"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": SECRET, **ARGON2_FOR_TESTS}
    try:
        stack.start(
            "atlas-query-worker",
            "worker",
            {"ATLAS_WORKER_TOKEN_DELAY_MS": TOKEN_DELAY_MS, "ATLAS_QUERY_CONCURRENCY": "4"},
        )
        keys = starter.start("atlas-keys", "keys", "ATLAS_KEYS_PORT")
        scheduler = starter.start("atlas-scheduler", "scheduler", "ATLAS_SCHEDULER_PORT", **HOOKS)
        starter.wait()
        auth = starter.start("atlas-auth", "auth", "ATLAS_AUTH_PORT", ATLAS_KEYS_URL=keys, **mode)
        gateway = {"ATLAS_AUTH_URL": auth, "ATLAS_KEYS_URL": keys, "ATLAS_SCHEDULER_URL": scheduler}
        url = starter.start("atlas-gateway", "gateway", "ATLAS_GATEWAY_PORT", **gateway)
        limited = starter.start(
            "atlas-gateway", "limited", "ATLAS_GATEWAY_PORT", ATLAS_RATE_LIMIT_RPM="1", **gateway
        )
        starter.wait()
        wait_for_workers(url)
        token, key = _admin_key(url)
        yield NodeEnv(
            {
                "ATLAS_URL": url,
                "ATLAS_API_KEY": key,
                "ATLAS_LIMITED_URL": limited,
                "ATLAS_ADMIN_TOKEN": token,
            }
        )
    finally:
        stack.stop_all()
