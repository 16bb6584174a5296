"""``GET /internal/v1/limits/{feature}``: the count of a computed limit (``api-keys``: active
keys) for the workspace of the principal passed on, as the plan gate computes it; the gateway's
plan shows it as ``used``."""

from __future__ import annotations

import httpx

from tests.keys.support import INTERNAL, KeysApi, as_caller, principal

PATH = "/internal/v1/limits/api-keys"


async def count(client: httpx.AsyncClient, api: KeysApi) -> int:
    response = await client.get(PATH, headers=api.headers)
    assert response.status_code == 200, response.text
    assert response.json()["feature"] == "api-keys"
    return int(response.json()["used"])


async def test_the_count_follows_creations_and_revocations(client: httpx.AsyncClient) -> None:
    api, other = KeysApi(client, principal()), KeysApi(client, principal())
    assert await count(client, api) == 0
    first = await api.created(name="one")
    await api.created(name="two")
    await other.created(name="elsewhere")
    assert await count(client, api) == 2
    assert (await api.delete(first["id"])).status_code == 200
    assert await count(client, api) == 1  # revoked keys do not count
    assert await count(client, other) == 1  # each workspace its own count


async def test_only_counted_features_with_token_and_principal(
        client: httpx.AsyncClient) -> None:
    caller = as_caller(principal())
    unknown = await client.get("/internal/v1/limits/seats", headers=caller)
    assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")
    assert (await client.get(PATH)).status_code == 401
    no_principal = await client.get(PATH, headers=INTERNAL)
    assert (no_principal.status_code, no_principal.json()["error"]) == (401, "auth_error")
