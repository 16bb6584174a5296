"""The audit service for the session: a real process on a database and vhost of its own.

Events are published on the run's vhost as the query worker and the other services publish
them; tests read back through the service's routes (with the internal token and a principal,
as the gateway relays) and through SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from atlas_common.bus import Bus
from atlas_common.internal import internal_headers
from atlas_common.messages import QueryAnswered
from atlas_common.principal import Principal
from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.support.isolation import Isolation
from tests.support.polling import eventually
from tests.support.stack import Stack
from tests.support.stacks import isolated_stack


@dataclass
class AuditStack:
    url: str
    isolation: Isolation
    stack: Stack

    def get(self, path: str, workspace: str = "ws-a", role: str = "admin",
            **params: Any) -> httpx.Response:
        caller = Principal(user_id="admin-1", workspace_id=workspace, role=role,  # type: ignore[arg-type]
                           auth_mode="managed")
        return httpx.get(self.url + path, params=params, timeout=30,
                         headers=internal_headers(DEV_INTERNAL_TOKEN, caller))


@pytest.fixture(scope="package")
def audit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuditStack]:
    # Exact totals however loaded the machine: the tests compare them.
    env = {
        "ATLAS_AUDIT_BATCH_WAIT_MS": "20",
        "ATLAS_AUDIT_COUNT_BUDGET_MS": "30000",
    }
    with isolated_stack(tmp_path_factory.mktemp("audit"), env) as (stack, iso):
        url = stack.start_audit()
        yield AuditStack(url, iso, stack)


@pytest_asyncio.fixture(scope="package")
async def bus(audit: AuditStack) -> AsyncIterator[Bus]:
    b = await Bus.connect(audit.isolation.rabbitmq_url, delivery_limit=5)
    yield b
    await b.close()


@pytest_asyncio.fixture(scope="package")
async def db(audit: AuditStack) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(audit.isolation.database_url, min_size=1, max_size=4)
    assert pool is not None
    yield pool
    await pool.close()


def answered(workspace: str = "ws-a", **fields: Any) -> QueryAnswered:
    values: dict[str, Any] = {
        "request_id": uuid.uuid4().hex, "user_id": "u-1", "workspace_id": workspace,
        "role": "analyst", "auth_mode": "managed", "surface": "web",
        "question": "How many orders last week?", "sql": ("SELECT count(*) FROM orders",),
        "tables": ("orders",), "row_count": 1, "duration_ms": 120, "outcome": "answered",
        "tokens": 10, "answered_by": "semantic"}
    return QueryAnswered(**{**values, **fields})


async def rows_of(db: asyncpg.Pool, workspace: str) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM audit.events WHERE workspace_id = $1", workspace)
    return count


async def wait_rows(db: asyncpg.Pool, workspace: str, expected: int,
                    timeout: float = 30) -> None:
    await eventually(lambda: _has(db, workspace, expected), timeout=timeout,
                     what=f"{expected} audit rows of {workspace}")


async def _has(db: asyncpg.Pool, workspace: str, expected: int) -> bool:
    return await rows_of(db, workspace) >= expected


def unique_workspace() -> str:
    return "ws-" + uuid.uuid4().hex[:8]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
