"""The fault matrix's stack: every part of Atlas on PRIVATE PostgreSQL, RabbitMQ and Redis
instances (so a test may stop and restart any of them), managed auth, stored keys and plans.

One signed-up admin (a session token), one stored API key and one answered question (a
conversation) exist before any fault: the tests check that none of them is lost.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.e2e.chaos.helpers import DEMO_QUESTION
from tests.support.postgres_server import PrivatePostgres
from tests.support.rabbitmq_server import PrivateRabbitMQ
from tests.support.redis_server import PrivateRedis
from tests.support.stack import Proc, Stack, free_port, wait_for, wait_for_workers, wait_http

SECRET = "m" * 40
ADMIN = {"email": "ops@example.com", "password": "correct horse battery staple", "name": "Ops"}
#: Every question allowed, but each one still goes through the entitlements service (a
#: metered feature is consumed there even when unlimited), so its outage is visible.
PLANS = """
features:
  query:   {type: boolean}
  queries: {type: metered, unit: question, reset: month}
  api-keys: {type: gauge, unit: key}
plans:
  unlimited:
    default: true
    features: {query: true, queries: {unlimited: true}, api-keys: {unlimited: true}}
"""
#: internal service -> (console script, the URL variable the others read, its port variable)
SERVICES = {
    "auth": ("atlas-auth", "ATLAS_AUTH_URL", "ATLAS_AUTH_PORT"),
    "keys": ("atlas-keys", "ATLAS_KEYS_URL", "ATLAS_KEYS_PORT"),
    "entitlements": ("atlas-entitlements", "ATLAS_ENTITLEMENTS_URL", "ATLAS_ENTITLEMENTS_PORT"),
    "query-api": ("atlas-query-api", "ATLAS_QUERY_API_URL", "ATLAS_QUERY_API_PORT"),
}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@dataclass
class MatrixStack:
    stack: Stack
    postgres: PrivatePostgres
    rabbit: PrivateRabbitMQ
    redis: PrivateRedis
    gateway: str = ""
    session: str = ""  # the admin's session token
    key: str = ""  # a stored API key (atlas_sk_...)
    key_id: str = ""
    fresh_key: str = ""  # a stored key no gateway has verified yet (new_fresh_key())
    live_key: str = ""  # a key and a session verified just now (new_live_credentials())
    live_session: str = ""
    conversation_id: str = ""
    ports: dict[str, int] = field(default_factory=dict)

    def proc(self, name: str) -> Proc:
        return next(p for p in reversed(self.stack.procs) if p.name == name)

    def assign_ports(self) -> None:
        """Every service's URL known before any starts (they call each other)."""
        for name, (_, url_var, _) in SERVICES.items():
            self.ports[name] = free_port()
            self.stack.env[url_var] = f"http://127.0.0.1:{self.ports[name]}"

    def start_service(self, name: str) -> None:
        """Start (or start again, on the same port) one internal service."""
        script, url_var, port_var = SERVICES[name]
        port = self.ports[name]
        extra = {port_var: str(port)}
        if name == "auth":
            extra |= {"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": SECRET,
                      "ATLAS_AUTH_ARGON2_TIME_COST": "1", "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192",
                      # the tests poll sign-in through outages: the throttle is not under test
                      "ATLAS_AUTH_SIGNIN_MAX_PER_ACCOUNT": "100000",
                      "ATLAS_AUTH_SIGNIN_MAX_PER_ADDRESS": "100000"}
        proc = self.stack.start(script, name, extra)
        wait_http(self.stack.env[url_var] + "/healthz", proc)

    def stop_service(self, name: str, sig: int = signal.SIGTERM) -> None:
        self.stack.stop(self.proc(name), sig)

    def new_fresh_key(self) -> str:
        r = httpx.post(self.gateway + "/api/auth/api-key/create", json={"name": "fresh"},
                       headers=bearer(self.session), timeout=30)
        assert r.status_code == 200, r.text
        self.fresh_key = r.json()["key"]
        return self.fresh_key

    def new_live_credentials(self) -> None:
        """A new key and a new session, each verified once now: the gateway's cache entries
        for them are fresh (an entry lives ATLAS_AUTH_CACHE_TTL_S from its verification,
        however often it is used, so the seeded credentials may be about to expire)."""
        r = httpx.post(self.gateway + "/api/auth/sign-in/email", json=ADMIN, timeout=30)
        assert r.status_code == 200, r.text
        self.live_session = r.json()["token"]
        r = httpx.post(self.gateway + "/api/auth/api-key/create", json={"name": "live"},
                       headers=bearer(self.live_session), timeout=30)
        assert r.status_code == 200, r.text
        self.live_key = r.json()["key"]

    def ask(self, headers: dict[str, str] | None = None, **body: str) -> httpx.Response:
        return httpx.post(self.gateway + "/api/v1/query", timeout=90,
                          json={"question": DEMO_QUESTION, **body},
                          headers=headers if headers is not None else bearer(self.key))

    def healthy(self) -> bool:
        try:
            r = httpx.get(self.gateway + "/api/health", timeout=5)
        except httpx.HTTPError:
            return False
        return r.status_code == 200 and r.json()["checks"]["workers"]["consumers"] >= 1

    def wait_healthy(self, timeout: float = 90) -> None:
        wait_for(self.healthy, timeout=timeout, interval=0.25, what="the stack healthy again")


def matrix_stack(directory: Path) -> Iterator[MatrixStack]:
    postgres = PrivatePostgres("atlas")
    rabbit = PrivateRabbitMQ(directory / "rabbitmq")
    redis = PrivateRedis(directory)
    plans = directory / "plans.yaml"
    plans.write_text(PLANS)
    env = {
        "DATABASE_URL": postgres.url,
        "ATLAS_RABBITMQ_URL": rabbit.url,
        "ATLAS_REDIS_URL": redis.url,
        "ATLAS_REDIS_PREFIX": "atlasmatrix:",
        "ATLAS_ENV": "test",
        "ATLAS_PLANS_FILE": str(plans),
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_WORKER_TOKEN_DELAY_MS": "25",  # "mid-answer" is a window a test can hit
        "ATLAS_QUERY_DEADLINE_S": "60",
        "ATLAS_AUTH_CACHE_TTL_S": "60",
    }
    m = MatrixStack(Stack(env, directory), postgres, rabbit, redis)
    try:
        postgres.start()
        rabbit.start()
        redis.start()
        m.assign_ports()
        for name in SERVICES:
            m.start_service(name)
        m.stack.start("atlas-query-worker", "worker-1")
        m.gateway = m.stack.gateway_url = m.stack.start_gateway()
        wait_for_workers(m.gateway, 1)
        _seed(m)
        yield m
    finally:
        m.stack.stop_all()
        redis.stop()
        rabbit.stop()
        postgres.remove()


def _seed(m: MatrixStack) -> None:
    """The state a fault must not lose: a session, a stored key, a conversation."""
    r = httpx.post(m.gateway + "/api/auth/sign-up/email", json=ADMIN, timeout=30)
    assert r.status_code == 200, r.text
    m.session = r.json()["token"]
    r = httpx.post(m.gateway + "/api/auth/api-key/create", json={"name": "matrix"},
                   headers=bearer(m.session), timeout=30)
    assert r.status_code == 200, r.text
    m.key, m.key_id = r.json()["key"], r.json()["id"]
    r = m.ask()
    assert r.status_code == 200, r.text
    m.conversation_id = r.json()["conversationId"]


def until_statuses(probe: Callable[[], dict[str, httpx.Response]], expected: dict[str, int],
                   what: str, timeout: float = 60) -> dict[str, httpx.Response]:
    """Poll ``probe`` until each answer has its expected status; on timeout, fail showing the
    last answers (what is wrong matters more than that it is)."""
    last: dict[str, httpx.Response] = {}

    def matches() -> bool:
        last.clear()
        last.update(probe())
        return all(last[name].status_code == status for name, status in expected.items())

    try:
        wait_for(matches, timeout=timeout, interval=0.25, what=what)
    except TimeoutError:
        shown = {name: f"{r.status_code} {r.text[:300]}" for name, r in last.items()}
        raise AssertionError(f"{what}: expected {expected}, last answers {shown}") from None
    return dict(last)
