"""The auth service's verifier of stored keys, against the real keys service: the creator's
current standing caps the key (managed), and nothing is asked for a value of the wrong shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from atlas_auth.errors import AuthFailed
from atlas_auth.stored_keys_http import Creator, HttpStoredKeyVerifier
from atlas_common.errors import Unavailable
from atlas_common.principal import Principal
from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.keys.conftest import Running
from tests.keys.support import KeysApi, principal


class Creators:
    """The creator lookup the auth service does in its own schema, as a plain table here."""

    def __init__(self) -> None:
        self.table: dict[str, Creator] = {}
        self.asked: list[str] = []

    async def __call__(self, user_id: str) -> Creator | None:
        self.asked.append(user_id)
        return self.table.get(user_id)


@pytest_asyncio.fixture
async def creators() -> Creators:
    return Creators()


@pytest_asyncio.fixture
async def managed(keys_app: Running, creators: Creators) -> AsyncIterator[HttpStoredKeyVerifier]:
    verifier = HttpStoredKeyVerifier(keys_app.url, DEV_INTERNAL_TOKEN, "managed",
                                     creators=creators)
    yield verifier
    await verifier.aclose()


async def make_key(client: httpx.AsyncClient, creators: Creators, **body: Any) -> tuple[
        Principal, dict[str, Any]]:
    caller = principal(claims={"tenant_id": "acme"})
    creators.table[caller.user_id] = Creator("admin", True, caller.workspace_id,
                                             dict(caller.claims))
    return caller, await KeysApi(client, caller).created(**body)


async def test_the_principal_acts_for_the_creator_with_the_key_role(
        client: httpx.AsyncClient, creators: Creators, managed: HttpStoredKeyVerifier) -> None:
    caller, created = await make_key(client, creators, role="analyst")
    got = await managed.verify(created["key"])
    assert got == Principal(user_id=caller.user_id, workspace_id=caller.workspace_id,
                            role="analyst", claims={"tenant_id": "acme"}, auth_mode="managed",
                            credential_id=created["id"], expires_at=None)


async def test_the_role_is_capped_at_the_creators_current_role(
        client: httpx.AsyncClient, creators: Creators, managed: HttpStoredKeyVerifier) -> None:
    caller, created = await make_key(client, creators, role="admin")
    assert (await managed.verify(created["key"])).role == "admin"
    creators.table[caller.user_id] = Creator("viewer", True, caller.workspace_id,
                                             {"tenant_id": "acme"})
    assert (await managed.verify(created["key"])).role == "viewer"


@pytest.mark.parametrize("change", ["inactive", "gone", "moved", "claims changed"])
async def test_the_creators_standing_can_refuse_the_key(
        client: httpx.AsyncClient, creators: Creators, managed: HttpStoredKeyVerifier,
        change: str) -> None:
    caller, created = await make_key(client, creators)
    ws, claims = caller.workspace_id, {"tenant_id": "acme"}
    if change == "gone":
        del creators.table[caller.user_id]
    else:
        creators.table[caller.user_id] = {
            "inactive": Creator("admin", False, ws, claims),
            "moved": Creator("admin", True, "elsewhere", claims),
            "claims changed": Creator("admin", True, ws, {"tenant_id": "globex"}),
        }[change]
    with pytest.raises(AuthFailed):
        await managed.verify(created["key"])


async def test_byot_takes_the_keys_own_role(client: httpx.AsyncClient, creators: Creators,
                                            keys_app: Running) -> None:
    _, created = await make_key(client, creators, role="viewer")
    verifier = HttpStoredKeyVerifier(keys_app.url, DEV_INTERNAL_TOKEN, "byot")
    try:
        got = await verifier.verify(created["key"])
    finally:
        await verifier.aclose()
    assert got.role == "viewer" and got.auth_mode == "byot"


async def test_a_revoked_key_is_refused(client: httpx.AsyncClient, creators: Creators,
                                        managed: HttpStoredKeyVerifier) -> None:
    caller, created = await make_key(client, creators)
    assert (await KeysApi(client, caller).delete(created["id"])).status_code == 200
    with pytest.raises(AuthFailed):
        await managed.verify(created["key"])


@pytest.mark.parametrize("value", ["atlas_sk_0123456789abcdef", "atlas_sk_" + "A" * 66, "x"])
async def test_a_value_of_the_wrong_shape_is_refused_without_a_call(value: str) -> None:
    verifier = HttpStoredKeyVerifier("http://127.0.0.1:9", DEV_INTERNAL_TOKEN, "managed")
    try:
        with pytest.raises(AuthFailed):
            await verifier.verify(value)
    finally:
        await verifier.aclose()


async def test_an_unreachable_keys_service_is_503_not_401(client: httpx.AsyncClient,
                                                          creators: Creators) -> None:
    _, created = await make_key(client, creators)
    verifier = HttpStoredKeyVerifier("http://127.0.0.1:9", DEV_INTERNAL_TOKEN, "managed",
                                     timeout_s=1)
    try:
        with pytest.raises(Unavailable) as caught:
            await verifier.verify(created["key"])
    finally:
        await verifier.aclose()
    assert caught.value.status_code == 503
