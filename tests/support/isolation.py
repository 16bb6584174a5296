"""Per-run isolation on the real shared services: one database, one vhost, one key prefix.

Everything is created for this test run and removed afterwards; nothing shared is wiped.
Base URLs come from the environment (the names Atlas reads) with the machine's defaults.
A missing service fails the run loudly: nothing here skips.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
import pytest
import redis

BASE_DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BASE_RABBITMQ_URL = os.environ.get("ATLAS_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
BASE_REDIS_URL = os.environ.get("ATLAS_REDIS_URL", "redis://127.0.0.1:6379/0")


def _with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))

#: `make test` runs two pytest-xdist workers, each with its stacks and in-process apps, on one
#: PostgreSQL (100 connections): every pool of every process of the suite stays this small.
POOL_MAX = 3

def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(BASE_DATABASE_URL, timeout=10)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _pg_admin_sync(statement: str) -> None:
    """In a thread of its own when this thread runs an event loop (an async test, or
    Playwright's sync API), which ``asyncio.run`` refuses."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_pg_admin(statement))
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _pg_admin(statement)).result()


def create_database(name: str) -> str:
    _pg_admin_sync(f'CREATE DATABASE "{name}"')
    return _with_path(BASE_DATABASE_URL, "/" + name)


def drop_database(name: str) -> None:
    _pg_admin_sync(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_vhost(name: str) -> str:
    _rabbitmqctl("add_vhost", name)
    user = urlsplit(BASE_RABBITMQ_URL).username or "guest"
    _rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
    return _with_path(BASE_RABBITMQ_URL, "/" + quote(name, safe=""))


def delete_vhost(name: str) -> None:
    _rabbitmqctl("delete_vhost", name)


def delete_redis_prefix(prefix: str) -> None:
    client = redis.Redis.from_url(BASE_REDIS_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
    finally:
        client.close()


@dataclass
class Isolation:
    """The private database, vhost and Redis prefix of one test run (or one stack)."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    database_url: str = ""
    rabbitmq_url: str = ""
    redis_url: str = BASE_REDIS_URL

    @property
    def name(self) -> str:
        return f"atlas_test_{self.run_id}"

    @property
    def redis_prefix(self) -> str:
        return f"atlastest:{self.run_id}:"

    def create(self) -> Isolation:
        self.database_url = create_database(self.name)
        self.rabbitmq_url = create_vhost(self.name)
        return self

    def remove(self) -> None:
        errors: list[BaseException] = []
        steps: tuple[tuple[Callable[[str], None], str], ...] = (
            (drop_database, self.name),
            (delete_vhost, self.name),
            (delete_redis_prefix, self.redis_prefix),
        )
        for step, argument in steps:
            try:
                step(argument)
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]

    def env(self) -> dict[str, str]:
        """The environment a process of this run gets."""
        return {
            "DATABASE_URL": self.database_url,
            "ATLAS_RABBITMQ_URL": self.rabbitmq_url,
            "ATLAS_REDIS_URL": self.redis_url,
            "ATLAS_REDIS_PREFIX": self.redis_prefix,
            "ATLAS_ENV": "test",
            "ATLAS_DATABASE_POOL_MAX": str(POOL_MAX),
        }


def isolation_fixture() -> Iterator[Isolation]:
    """The body of an ``isolation`` fixture: a fresh one, removed afterwards."""
    iso = Isolation().create()
    try:
        yield iso
    finally:
        iso.remove()


@pytest.fixture(scope="package", name="isolation")
def package_isolation() -> Iterator[Isolation]:
    """A package's own ``isolation`` (imported by its conftest), not the session's: a
    pytest-xdist worker may come back to the package after another one, and what the package
    starts then starts anew on a clean slate (no user signed up twice)."""
    yield from isolation_fixture()
