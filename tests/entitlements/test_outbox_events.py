"""Entitlements changes write ``subscription.changed`` to the outbox in their own transaction:
a committed change leaves exactly its event, a refused one leaves none (no relay runs here, so
the rows stay to be read)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from atlas_common.db import create_pool, migrate
from atlas_entitlements.catalog_loader import load_catalog
from atlas_entitlements.errors import UnknownPlan
from atlas_entitlements.main import MIGRATIONS, SCHEMA
from atlas_entitlements.plans import PlansFileError
from atlas_entitlements.schemas import OverrideBody
from atlas_entitlements.subscriptions import OperatorService
from tests.entitlements.support import PLANS, write_plans
from tests.support.isolation import Isolation, create_database, drop_database


@pytest.fixture
def outbox_db(isolation: Isolation) -> Iterator[str]:
    name = f"{isolation.name}_outbox"
    yield create_database(name)
    drop_database(name)


@pytest.fixture
async def pool(outbox_db: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(outbox_db, max_size=2)
    await migrate(p, SCHEMA, MIGRATIONS)
    yield p
    await p.close()


async def taken(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    """The outbox's events, oldest first, removed (as a relay would)."""
    rows = await pool.fetch("DELETE FROM entitlements.outbox RETURNING id, type, body")
    assert all(r["type"] == "subscription.changed" for r in rows)
    return [json.loads(r["body"]) for r in sorted(rows, key=lambda r: r["id"])]


async def test_a_changed_catalog_leaves_one_event_for_every_customer(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    catalog, changed = await load_catalog(pool, str(write_plans(tmp_path)))
    [event] = await taken(pool)
    assert changed and (event["customer_id"], event["version"]) == ("*", catalog.version)
    await load_catalog(pool, str(write_plans(tmp_path)))  # unchanged: no event
    assert await taken(pool) == []
    service = OperatorService(pool, catalog)
    await service.subscribe("acme", "team")
    without_team = PLANS.split("  team:")[0] + "  solo:" + PLANS.split("  solo:")[1]
    with pytest.raises(PlansFileError):  # refused: rolled back with its event
        await load_catalog(pool, str(write_plans(tmp_path, without_team, "v2.yaml")))
    [subscribed] = await taken(pool)
    assert subscribed["customer_id"] == "acme" and subscribed["version"] > catalog.version


async def test_a_refused_change_leaves_no_event(pool: asyncpg.Pool, tmp_path: Path) -> None:
    catalog, _ = await load_catalog(pool, str(write_plans(tmp_path)))
    await taken(pool)
    service = OperatorService(pool, catalog)
    with pytest.raises(UnknownPlan):
        await service.subscribe("acme", "no-such-plan")
    changed = await service.unsubscribe("acme")
    assert [(e["customer_id"], e["version"]) for e in await taken(pool)] == [
        ("acme", changed.version)]


async def test_each_event_names_the_plan_the_customer_is_on(
        pool: asyncpg.Pool, tmp_path: Path) -> None:
    catalog, _ = await load_catalog(pool, str(write_plans(tmp_path)))
    [everyone] = await taken(pool)
    assert everyone["customer_id"] == "*" and everyone["plan"] is None
    service = OperatorService(pool, catalog)
    await service.subscribe("acme", "team")
    feature = next(f for f, spec in catalog.features.items() if spec.type == "boolean")
    await service.add_override("acme", OverrideBody(feature=feature, kind="grant"))
    await service.unsubscribe("acme")
    assert [(e["customer_id"], e["plan"]) for e in await taken(pool)] == [
        ("acme", "team"), ("acme", "team"), ("acme", None)]
