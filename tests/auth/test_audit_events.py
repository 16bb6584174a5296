"""The audit trail's events of the auth service: ``user.created`` on a sign-up (its own actor)
and when an admin adds a user; the workspace and the acting admin on ``user.role_changed``,
``user.claims_changed`` (with the new claims) and ``user.deactivated``. All through the outbox,
read here off the run's vhost."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from atlas_auth.main import create_app
from atlas_common.bus import Bus, names
from atlas_common.messages import UserClaimsChanged, UserCreated, UserDeactivated, UserRoleChanged
from tests.auth.conftest import EventLog, FreshDatabases, managed_env
from tests.auth.managed_helpers import add_user, bearer, sign_up, unique_email, verify
from tests.auth.support import client, make_settings, serve
from tests.support.isolation import Isolation

AUDITED = [names.USER_CREATED, names.USER_ROLE_CHANGED, names.USER_CLAIMS_CHANGED,
           names.USER_DEACTIVATED]


@pytest_asyncio.fixture(scope="module")
async def changes(auth_isolation: Isolation) -> AsyncIterator[EventLog]:
    log = EventLog()
    bus = await Bus.connect(auth_isolation.rabbitmq_url, delivery_limit=5)
    await bus.subscribe_events(AUDITED, log.handle)
    yield log
    await bus.close()


@pytest_asyncio.fixture(scope="module")
async def c(managed_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with client(managed_url) as http:
        yield http


async def _admin(c: httpx.AsyncClient, admin_token: str) -> dict[str, str]:
    principal = (await verify(c, authorization=f"Bearer {admin_token}")).json()["principal"]
    return {"user_id": principal["user_id"], "workspace_id": principal["workspace_id"]}


async def test_an_added_user_is_announced_with_the_admin(
    c: httpx.AsyncClient, admin_token: str, changes: EventLog
) -> None:
    admin = await _admin(c, admin_token)
    user = await add_user(c, admin_token, role="viewer")
    event = await changes.wait_for("user.created", timeout=15, user_id=user.id)
    assert isinstance(event, UserCreated)
    assert (event.workspace_id, event.role, event.actor_id) == (
        admin["workspace_id"], "viewer", admin["user_id"])


async def test_a_refused_addition_announces_nothing(
    c: httpx.AsyncClient, admin_token: str, changes: EventLog
) -> None:
    user = await add_user(c, admin_token)
    taken = await c.post("/api/admin/users", headers=bearer(admin_token), json={
        "email": user.email, "name": "Again", "password": "correct horse battery"})
    assert taken.status_code == 400
    marker = await add_user(c, admin_token)  # relayed after the refusal would have been
    await changes.wait_for("user.created", timeout=15, user_id=marker.id)
    created = [m for m in changes.messages if isinstance(m, UserCreated)]
    assert [m.user_id for m in created].count(user.id) == 1


async def test_role_change_and_deactivation_name_the_workspace_and_the_admin(
    c: httpx.AsyncClient, admin_token: str, changes: EventLog
) -> None:
    admin = await _admin(c, admin_token)
    user = await add_user(c, admin_token, role="viewer")
    changed = await c.patch(f"/api/admin/users/{user.id}/role", json={"role": "analyst"},
                            headers=bearer(admin_token))
    assert changed.status_code == 200, changed.text
    role = await changes.wait_for("user.role_changed", timeout=15, user_id=user.id)
    assert isinstance(role, UserRoleChanged) and role.role == "analyst"
    assert (role.workspace_id, role.actor_id) == (admin["workspace_id"], admin["user_id"])
    gone = await c.post(f"/api/admin/users/{user.id}/deactivate", headers=bearer(admin_token))
    assert gone.status_code in (200, 204), gone.text
    deactivated = await changes.wait_for("user.deactivated", timeout=15, user_id=user.id)
    assert isinstance(deactivated, UserDeactivated)
    assert (deactivated.workspace_id, deactivated.actor_id) == (
        admin["workspace_id"], admin["user_id"])


async def test_a_claims_change_is_its_own_event_with_the_new_claims(
    c: httpx.AsyncClient, admin_token: str, changes: EventLog
) -> None:
    admin = await _admin(c, admin_token)
    user = await add_user(c, admin_token, role="viewer", claims={"tenant_id": "t1"})
    claims = {"tenant_id": "acme", "region": ["eu", "us"]}
    changed = await c.put(f"/api/admin/users/{user.id}/claims", json={"claims": claims},
                          headers=bearer(admin_token))
    assert changed.status_code == 200, changed.text
    event = await changes.wait_for("user.claims_changed", timeout=15, user_id=user.id)
    assert isinstance(event, UserClaimsChanged)
    assert (event.workspace_id, event.actor_id, event.claims) == (
        admin["workspace_id"], admin["user_id"], claims)
    marker = await add_user(c, admin_token)  # relayed after a role change would have been
    await changes.wait_for("user.created", timeout=15, user_id=marker.id)
    assert not [m for m in changes.messages
                if isinstance(m, UserRoleChanged) and m.user_id == user.id]


@pytest_asyncio.fixture(scope="module")
async def open_url(auth_isolation: Isolation,
                   fresh_databases: FreshDatabases) -> AsyncIterator[str]:
    env = managed_env(auth_isolation, DATABASE_URL=await fresh_databases("audit"),
                      ATLAS_MULTI_WORKSPACE="true", ATLAS_SIGNUP="open")
    async with serve(create_app(make_settings(**env))) as url:
        yield url


async def test_a_sign_up_is_announced_as_its_own_doing(
    open_url: str, changes: EventLog
) -> None:
    async with client(open_url) as http:
        response = await sign_up(http, unique_email("signup"))
    assert response.status_code == 200, response.text
    user = response.json()["user"]
    event = await changes.wait_for("user.created", timeout=15, user_id=user["id"])
    assert isinstance(event, UserCreated)
    assert event.actor_id == user["id"] and event.role == "admin"  # a new workspace's admin
    assert event.workspace_id not in ("", "default")
