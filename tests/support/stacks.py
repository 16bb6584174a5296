"""The test session's shared stacks (one running stack per auth mode) and fast start-up.

``Starter`` starts processes that take their peers' URLs as settings at once, then waits for
each to answer (``Stack.together`` does the same for ``Stack.start_*``). ``start_managed``
builds the session's managed-auth stack, which tests/conftest.py exposes as ``managed_stack``:
modules that need managed sign-in use it instead of a stack of their own, and keep apart by
their own users: the stack runs multi-workspace with open sign-up, so every ``sign_up`` makes
a new workspace whose first user is its admin, with an email no other test uses.

A module keeps a stack of its own only when its configuration differs (a private broker it
stops, a plans file, tracing, log levels it reads, TTLs it waits out); it says why in a line.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.isolation import Isolation
from tests.support.stack import Proc, Stack, free_port, wait_for_workers, wait_http

#: Cheap password hashing: sign-ups and sign-ins by the hundred stay fast.
ARGON2_FOR_TESTS = {"ATLAS_AUTH_ARGON2_TIME_COST": "1", "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192"}
MANAGED_SECRET = "m" * 40
PASSWORD = "a long enough password"
#: A pause between streamed tokens, so "mid-answer" is a window a test can hit.
TOKEN_DELAY_MS = "25"


class Starter:
    """Start several processes at once, then wait until each answers on /healthz."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.pending: list[tuple[str, Proc]] = []

    def start(self, command: str, name: str, port_var: str, **env: str) -> str:
        """Start ``command`` on a free port; its URL."""
        url = f"http://127.0.0.1:{free_port()}"
        proc = self.stack.start(command, name, {port_var: url.rsplit(":", 1)[1], **env})
        self.pending.append((url, proc))
        return url

    def wait(self) -> None:
        for url, proc in self.pending:
            wait_http(url + "/healthz", proc)
        self.pending.clear()


@contextmanager
def isolated_stack(
    directory: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[Stack, Isolation]]:
    """A stack on a run of its own (database, vhost, Redis prefix) with ``env`` over the run's
    environment: on leaving, every process stopped, then the run removed, whatever failed."""
    iso = Isolation().create()
    stack = Stack({**iso.env(), **(env or {})}, directory)
    try:
        yield stack, iso
    finally:
        try:
            stack.stop_all()
        finally:
            iso.remove()


@dataclass
class ManagedStack:
    """Managed sign-in (multi-workspace, open sign-up), keys, query-api, a worker, the
    scheduler, audit and two gateway replicas (a and b) on a run of their own."""

    stack: Stack
    isolation: Isolation
    a: str
    b: str

    def email(self, who: str) -> str:
        """An address no other test of the session signs up with."""
        return f"{who}-{uuid.uuid4().hex[:8]}@example.com"

    def sign_up(self, who: str, password: str = PASSWORD) -> tuple[str, str]:
        """A new workspace and its admin: (email, session token)."""
        email = self.email(who)
        r = httpx.post(self.a + "/api/auth/sign-up/email", timeout=10,
                       json={"email": email, "password": password, "name": who.title()})
        assert r.status_code == 200, r.text
        return email, str(r.json()["token"])


def start_managed(directory: Path) -> ManagedStack:
    iso = Isolation().create()
    env = {
        **iso.env(),
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_WORKER_TOKEN_DELAY_MS": TOKEN_DELAY_MS,
        # Long: a refusal seen within seconds is the revocation event's doing, not the TTL's.
        "ATLAS_AUTH_CACHE_TTL_S": "60",
        "ATLAS_KEYS_LAST_USED_FLUSH_S": "0.5",
        "ATLAS_AUTH_MODE": "managed",
        "BETTER_AUTH_SECRET": MANAGED_SECRET,
        "ATLAS_MULTI_WORKSPACE": "true",
        "ATLAS_SIGNUP": "open",
        **ARGON2_FOR_TESTS,
    }
    stack = Stack(env, directory)
    try:
        return _start_managed(stack, iso)
    except BaseException:
        stack.stop_all()
        iso.remove()
        raise


def _start_managed(stack: Stack, iso: Isolation) -> ManagedStack:
    with stack.together():
        stack.start_keys()
        stack.start_auth()
        stack.start_query_api()
        stack.start_scheduler()
        stack.start_audit()
        stack.start("atlas-query-worker", "worker-1")
        a, b = stack.start_gateway("gateway-a"), stack.start_gateway("gateway-b")
    stack.gateway_url = a
    wait_for_workers(a, 1)
    return ManagedStack(stack, iso, a, b)


def stop_managed(managed: ManagedStack) -> None:
    try:
        managed.stack.stop_all()
    finally:
        managed.isolation.remove()
