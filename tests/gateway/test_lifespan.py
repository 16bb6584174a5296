"""The gateway's lifespan: a start-up that fails half way closes what it had opened, and the
tasks it started while serving are cancelled when it stops."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator

import pytest

from atlas_common.tasks import BackgroundTasks
from atlas_gateway.main import create_app
from atlas_gateway.settings import GatewaySettings
from tests.support.isolation import Isolation, create_vhost, delete_vhost

NOWHERE_DB = "postgresql://postgres@127.0.0.1:1/nowhere"  # refused at once: nothing listens


@pytest.fixture
def vhost(isolation: Isolation) -> Iterator[tuple[str, str]]:
    name = f"{isolation.name}_lifespan"
    url = create_vhost(name)
    try:
        yield name, url
    finally:
        delete_vhost(name)


def _connections(vhost: str) -> int:
    out = subprocess.run(["rabbitmqctl", "-q", "list_connections", "vhost"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    return sum(1 for line in out.splitlines() if line.strip() == vhost)


async def test_a_start_up_failing_half_way_closes_what_it_opened(
    isolation: Isolation, vhost: tuple[str, str]
) -> None:
    """Redis, the stream hub and the broker open before the database, which is refused."""
    name, url = vhost
    settings = GatewaySettings(database_url=NOWHERE_DB, rabbitmq_url=url,
                               redis_url=isolation.redis_url,
                               redis_prefix=isolation.redis_prefix)
    app = create_app(settings)
    with pytest.raises(OSError):
        async with app.router.lifespan_context(app):
            pytest.fail("the lifespan started without its database")
    assert _connections(name) == 0


async def test_background_tasks_are_cancelled_and_awaited() -> None:
    tasks = BackgroundTasks()
    ended: list[str] = []

    async def watch() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            ended.append("cancelled")

    tasks.spawn(watch())
    await tasks.spawn(asyncio.sleep(0))
    await asyncio.sleep(0)  # its done callback runs on the next turn: it leaves the set
    assert len(tasks) == 1
    await tasks.cancel_all()
    assert ended == ["cancelled"] and len(tasks) == 0
