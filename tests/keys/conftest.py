"""One keys app for the run (in-process, real PostgreSQL and RabbitMQ), and a bus listener.

The app gets the run's database and a vhost of its own; the last-used flush interval is
lowered to 0.3 s so coalescing can be observed quickly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from atlas_common.bus import Bus, Delivery, names
from atlas_common.messages import Message
from atlas_common.service import APP_STATE
from atlas_keys.deps import KeysState
from atlas_keys.main import create_app
from tests.keys.support import make_settings, serve
from tests.support.isolation import (
    Isolation,
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
)

FLUSH_S = 0.3


@pytest.fixture(scope="package")
def keys_isolation(isolation: Isolation) -> Iterator[Isolation]:
    # A database of its own too: another stack's keys service on the run's database would
    # relay (and delete) this app's outbox rows onto its own vhost, so these tests never saw them.
    name = f"{isolation.name}_keys"
    yield dataclasses.replace(
        isolation, rabbitmq_url=create_vhost(name), database_url=create_database(name)
    )
    delete_vhost(name)
    drop_database(name)


@dataclass
class Running:
    url: str
    app: FastAPI

    @property
    def state(self) -> KeysState:
        state = getattr(self.app.state, APP_STATE)
        assert isinstance(state, KeysState)
        return state


@pytest_asyncio.fixture(scope="package")
async def keys_app(keys_isolation: Isolation, events: Heard) -> AsyncIterator[Running]:
    settings = make_settings(DATABASE_URL=keys_isolation.database_url,
                             ATLAS_RABBITMQ_URL=keys_isolation.rabbitmq_url, ATLAS_ENV="test",
                             ATLAS_KEYS_LAST_USED_FLUSH_S=FLUSH_S)
    app = create_app(settings)
    async with serve(app) as url:
        yield Running(url, app)


@pytest_asyncio.fixture
async def client(keys_app: Running) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=keys_app.url, timeout=10) as c:
        yield c


@pytest_asyncio.fixture(scope="package")
async def db(keys_app: Running, keys_isolation: Isolation) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(keys_isolation.database_url, min_size=1, max_size=2)
    assert pool is not None
    yield pool
    await pool.close()


@dataclass
class Heard:
    """Every ``key.*`` event published on the keys vhost since the run began."""

    messages: list[Message] = field(default_factory=list)

    async def handle(self, message: Message, delivery: Delivery) -> None:
        self.messages.append(message)

    def revoked(self, key_id: str) -> int:
        return sum(1 for m in self.messages
                   if m.type == "key.revoked" and getattr(m, "key_id", None) == key_id)


@pytest_asyncio.fixture(scope="package")
async def bus(keys_isolation: Isolation) -> AsyncIterator[Bus]:
    bus = await Bus.connect(keys_isolation.rabbitmq_url, delivery_limit=5)
    yield bus
    await bus.close()


@pytest_asyncio.fixture(scope="package")
async def events(bus: Bus) -> Heard:
    heard = Heard()
    await bus.subscribe_events([names.KEY_REVOKED], heard.handle)
    return heard
