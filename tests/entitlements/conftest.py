"""One entitlements app for the run: in-process, real PostgreSQL and RabbitMQ, on a database
and a vhost of its own (its catalog must not meet another suite's), and a bus listener."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from atlas_common.bus import Bus, Delivery, names
from atlas_common.messages import Message, SubscriptionChanged
from atlas_common.service import APP_STATE
from atlas_entitlements.deps import EntitlementsState
from atlas_entitlements.handlers import UsageHandler
from atlas_entitlements.main import create_app
from tests.entitlements.support import INTERNAL, make_settings, serve, write_plans
from tests.support.isolation import (
    Isolation,
    create_database,
    create_vhost,
    delete_vhost,
    drop_database,
)


@pytest.fixture(scope="package")
def ent_isolation(isolation: Isolation) -> Iterator[Isolation]:
    name = f"{isolation.name}_ent"
    iso = dataclasses.replace(isolation, database_url=create_database(name),
                              rabbitmq_url=create_vhost(name))
    yield iso
    delete_vhost(name)
    drop_database(name)


@pytest.fixture(scope="package")
def plans_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plans(tmp_path_factory.mktemp("plans"))


@dataclass
class Running:
    url: str
    app: FastAPI

    @property
    def state(self) -> EntitlementsState:
        state = getattr(self.app.state, APP_STATE)
        assert isinstance(state, EntitlementsState)
        return state

    @property
    def usage(self) -> UsageHandler:
        return self.state.usage


@dataclass
class Heard:
    """Every ``subscription.changed`` published on the vhost since the run began."""

    messages: list[SubscriptionChanged] = field(default_factory=list)

    async def handle(self, message: Message, delivery: Delivery) -> None:
        if isinstance(message, SubscriptionChanged):
            self.messages.append(message)

    def versions(self, customer_id: str) -> list[int]:
        return [m.version for m in self.messages if m.customer_id == customer_id]


@pytest_asyncio.fixture(scope="package")
async def bus(ent_isolation: Isolation) -> AsyncIterator[Bus]:
    bus = await Bus.connect(ent_isolation.rabbitmq_url, delivery_limit=5)
    yield bus
    await bus.close()


@pytest_asyncio.fixture(scope="package")
async def heard(bus: Bus) -> Heard:
    listener = Heard()
    await bus.subscribe_events([names.SUBSCRIPTION_CHANGED], listener.handle)
    return listener


@pytest_asyncio.fixture(scope="package")
async def ent_app(ent_isolation: Isolation, plans_path: Path, heard: Heard
                  ) -> AsyncIterator[Running]:
    settings = make_settings(DATABASE_URL=ent_isolation.database_url,
                             ATLAS_RABBITMQ_URL=ent_isolation.rabbitmq_url, ATLAS_ENV="test",
                             ATLAS_PLANS_FILE=str(plans_path))
    app = create_app(settings)
    async with serve(app) as url:
        yield Running(url, app)


@pytest_asyncio.fixture
async def client(ent_app: Running) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=ent_app.url, headers=INTERNAL, timeout=10) as c:
        yield c


@pytest_asyncio.fixture(scope="package")
async def db(ent_app: Running, ent_isolation: Isolation) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(ent_isolation.database_url, min_size=1, max_size=2)
    assert pool is not None
    yield pool
    await pool.close()


@pytest.fixture
def customer() -> str:
    """A fresh customer (workspace) per test: tests never share usage."""
    return f"ws-{uuid.uuid4().hex[:10]}"
