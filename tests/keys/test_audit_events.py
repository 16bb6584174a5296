"""The audit trail's events of the keys service: ``key.created`` on a creation and
``key.revoked`` with who revoked it, both from the outbox; a revocation that follows a
deactivation has no actor (Atlas did it)."""

from __future__ import annotations

import httpx
import pytest_asyncio

from atlas_common.bus import Bus, names
from atlas_common.messages import KeyCreated, KeyRevoked, UserDeactivated
from tests.keys.conftest import Heard
from tests.keys.support import KeysApi, principal
from tests.support.polling import eventually


@pytest_asyncio.fixture(scope="module")
async def changes(bus: Bus) -> Heard:
    heard = Heard()
    await bus.subscribe_events([names.KEY_CREATED, names.KEY_REVOKED], heard.handle)
    return heard


def _of(heard: Heard, kind: type[KeyCreated] | type[KeyRevoked], key_id: str) -> list[object]:
    return [m for m in heard.messages if isinstance(m, kind) and m.key_id == key_id]


async def test_a_created_key_is_announced_with_its_creator(
    client: httpx.AsyncClient, changes: Heard
) -> None:
    admin = principal("admin")
    created = await KeysApi(client, admin).created(name="nightly export", role="viewer")
    [event] = await eventually(lambda: _of(changes, KeyCreated, created["id"]),
                               what="key.created")
    assert isinstance(event, KeyCreated)
    assert (event.workspace_id, event.name, event.role, event.actor_id) == (
        admin.workspace_id, "nightly export", "viewer", admin.user_id)
    assert created["key"] not in event.model_dump_json()  # never the secret


async def test_a_refused_creation_announces_nothing(
    client: httpx.AsyncClient, changes: Heard
) -> None:
    viewer = principal("viewer")
    response = await KeysApi(client, viewer).create(name="too high")
    assert response.status_code == 403
    admin = principal("admin", workspace=viewer.workspace_id)
    marker = await KeysApi(client, admin).created(name="marker")
    await eventually(lambda: _of(changes, KeyCreated, marker["id"]), what="the marker")
    assert not [m for m in changes.messages if getattr(m, "name", None) == "too high"]


async def test_a_revocation_names_who_revoked(
    client: httpx.AsyncClient, changes: Heard
) -> None:
    creator = principal("admin")
    admin = principal("admin", workspace=creator.workspace_id)
    created = await KeysApi(client, creator).created()
    response = await KeysApi(client, admin).delete(created["id"])
    assert response.status_code == 200, response.text
    [event] = await eventually(lambda: _of(changes, KeyRevoked, created["id"]),
                               what="key.revoked")
    assert isinstance(event, KeyRevoked)
    assert (event.workspace_id, event.actor_id) == (creator.workspace_id, admin.user_id)


async def test_a_revocation_after_a_deactivation_has_no_actor(
    client: httpx.AsyncClient, bus: Bus, changes: Heard
) -> None:
    leaving = principal()
    created = await KeysApi(client, leaving).created()
    await bus.publish(UserDeactivated(user_id=leaving.user_id))
    [event] = await eventually(lambda: _of(changes, KeyRevoked, created["id"]),
                               what="key.revoked")
    assert isinstance(event, KeyRevoked) and event.actor_id is None
