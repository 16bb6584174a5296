"""A deactivated user's keys are revoked when ``user.deactivated`` arrives (durable queue of the
keys service), with ``key.revoked`` for each; other users' keys are untouched."""

from __future__ import annotations

import httpx

from atlas_common.bus import Bus
from atlas_common.messages import UserDeactivated
from tests.keys.conftest import Heard
from tests.keys.support import KeysApi, holds, principal
from tests.support.polling import eventually


async def test_deactivation_revokes_the_users_keys(client: httpx.AsyncClient, bus: Bus,
                                                   events: Heard) -> None:
    leaving = principal()
    staying = principal(workspace=leaving.workspace_id)
    api, other = KeysApi(client, leaving), KeysApi(client, staying)
    gone = [await api.created(name=f"gone {i}") for i in range(2)]
    kept = await other.created(name="kept")

    await bus.publish(UserDeactivated(user_id=leaving.user_id))

    async def all_refused() -> bool:
        codes = [(await api.verify(k["key"])).status_code for k in gone]
        return codes == [401, 401]

    await eventually(all_refused, what="the deactivated user's keys to be revoked")
    statuses = {k["name"]: k["status"] for k in (await other.list())["apiKeys"]}
    assert statuses == {"gone 0": "revoked", "gone 1": "revoked", "kept": "active"}
    assert (await other.verify(kept["key"])).status_code == 200

    async def announced() -> bool:
        return all(events.revoked(k["id"]) == 1 for k in gone)

    await eventually(announced, what="key.revoked for each revoked key")
    assert events.revoked(kept["id"]) == 0


async def test_a_repeated_deactivation_is_harmless(client: httpx.AsyncClient, bus: Bus,
                                                   events: Heard) -> None:
    leaving = principal()
    api = KeysApi(client, leaving)
    created = await api.created()
    for _ in range(2):
        await bus.publish(UserDeactivated(user_id=leaving.user_id))

    async def revoked() -> bool:
        return (await api.verify(created["key"])).status_code == 401

    await eventually(revoked, what="the key to be revoked")
    # The event may reach our listener a little after the key stops verifying.
    await eventually(lambda: events.revoked(created["id"]) >= 1, what="key.revoked heard")
    # The second delivery finds nothing left to revoke, so no second event, however long.
    await holds(lambda: events.revoked(created["id"]) == 1, seconds=1.0)
