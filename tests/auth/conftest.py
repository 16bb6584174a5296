"""One auth app per mode for the whole run, on the run's private database, vhost and prefix."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

from atlas_auth.main import create_app
from atlas_common.bus import Bus, Delivery
from atlas_common.messages import Message
from tests.auth.managed_helpers import sign_up
from tests.auth.support import (
    AUDIENCE,
    FAST_ARGON2,
    ISSUER,
    SECRET,
    JwksServer,
    Key,
    client,
    ec_key,
    ed_key,
    make_settings,
    rsa_key,
    serve,
)
from tests.support.isolation import (
    Isolation,
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
    package_isolation,  # noqa: F401 - this package's own isolation fixture
)

ADMIN_EMAIL = "admin@example.test"
FreshDatabases = Callable[[str], Awaitable[str]]
API_KEY = "test-simple-key-0123456789"


def managed_env(iso: Isolation, **extra: Any) -> dict[str, Any]:
    return {"DATABASE_URL": iso.database_url, "ATLAS_RABBITMQ_URL": iso.rabbitmq_url,
            "ATLAS_REDIS_URL": iso.redis_url, "ATLAS_REDIS_PREFIX": iso.redis_prefix,
            "ATLAS_ENV": "test", "BETTER_AUTH_SECRET": SECRET, **FAST_ARGON2, **extra}


@pytest.fixture(scope="package")
def auth_isolation(isolation: Isolation) -> Iterator[Isolation]:
    """The run's database and Redis prefix, with a vhost of our own: other suites may declare
    the shared topology with other arguments (``x-delivery-limit``)."""
    vhost = f"{isolation.name}_auth"
    yield dataclasses.replace(isolation, rabbitmq_url=create_vhost(vhost))
    delete_vhost(vhost)


@pytest.fixture(scope="package")
def keys() -> dict[str, Key]:
    return {"rsa": rsa_key("rsa-1"), "ec": ec_key("ec-1"), "ed": ed_key("ed-1"),
            "ps": rsa_key("ps-1", "PS256"), "attacker": rsa_key("rsa-1")}


@pytest.fixture(scope="package")
def jwks(keys: dict[str, Key]) -> Iterator[JwksServer]:
    server = JwksServer(keys=[keys[k].jwk for k in ("rsa", "ec", "ed", "ps")]).start()
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="package")
async def none_url() -> AsyncIterator[str]:
    async with serve(create_app(make_settings(ATLAS_AUTH_MODE="none"))) as url:
        yield url


@pytest_asyncio.fixture(scope="package")
async def simple_url() -> AsyncIterator[str]:
    settings = make_settings(ATLAS_API_KEY=API_KEY, ATLAS_API_KEY_ROLE="viewer",
                             ATLAS_RLS_CLAIMS='{"tenant_id": "acme"}')
    async with serve(create_app(settings)) as url:
        yield url


@pytest_asyncio.fixture(scope="package")
async def byot_url(jwks: JwksServer) -> AsyncIterator[str]:
    settings = make_settings(ATLAS_AUTH_JWKS_URL=jwks.url + "/jwks.json", ATLAS_AUTH_ISSUER=ISSUER,
                             ATLAS_AUTH_AUDIENCE=AUDIENCE, ATLAS_AUTH_JWKS_MIN_REFETCH_S=2)
    async with serve(create_app(settings)) as url:
        yield url


@pytest_asyncio.fixture(scope="package")
async def managed_url(auth_isolation: Isolation) -> AsyncIterator[str]:
    settings = make_settings(**managed_env(
        auth_isolation, ATLAS_ADMIN_EMAIL=ADMIN_EMAIL, ATLAS_AUTH_SIGNIN_MAX_PER_ACCOUNT=5,
        ATLAS_AUTH_SIGNIN_MAX_PER_ADDRESS=8, BETTER_AUTH_TRUSTED_ORIGINS="https://app.example.test"))
    async with serve(create_app(settings)) as url:
        yield url


class EventLog:
    """Every auth event published on the run's vhost."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._arrived = asyncio.Condition()

    async def handle(self, message: Message, delivery: Delivery) -> None:
        async with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()

    async def wait_for(self, kind: str, timeout: float = 5, **fields: Any) -> Message:
        def match() -> Message | None:
            for m in self.messages:
                if getattr(m, "type", None) == kind and all(
                        getattr(m, k, None) == v for k, v in fields.items()):
                    return m
            return None

        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: match() is not None), timeout)
        found = match()
        assert found is not None
        return found


@pytest_asyncio.fixture(scope="package")
async def events(auth_isolation: Isolation) -> AsyncIterator[EventLog]:
    log = EventLog()
    bus = await Bus.connect(auth_isolation.rabbitmq_url, delivery_limit=5)
    await bus.subscribe_events(["session.revoked", "user.role_changed", "user.claims_changed",
                                "user.deactivated"], log.handle)
    yield log
    await bus.close()


@pytest_asyncio.fixture(scope="package")
async def admin_token(managed_url: str) -> str:
    """The bootstrap admin (ATLAS_ADMIN_EMAIL) of the managed app, signed up once."""
    async with client(managed_url) as c:
        response = await sign_up(c, ADMIN_EMAIL, name="Admin")
    assert response.status_code == 200, response.text
    assert response.json()["user"]["role"] == "admin"
    return str(response.json()["token"])


@pytest.fixture(scope="package")
def fresh_databases(isolation: Isolation) -> Iterator[FreshDatabases]:
    """Extra private databases of this run (an empty install per app that needs one)."""
    names: list[str] = []

    async def make(tag: str) -> str:
        names.append(f"{isolation.name}_{tag}")
        return await asyncio.to_thread(create_database, names[-1])

    yield make
    for name in names:
        drop_database(name)
