"""The ``api-keys`` gauge: enforced inside the create transaction with the plan's limit."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.support.stacks import isolated_stack

PLANS = """
features:
  api-keys: {type: gauge, description: Active API keys}
plans:
  one-key:
    default: true
    features: {api-keys: {limit: 1}}
"""
ADMIN = Principal(user_id="admin-1", workspace_id="ws-plan", role="admin", auth_mode="managed")


@pytest.fixture(scope="module")
def keys_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = Path(tmp_path_factory.mktemp("keys-plan"))
    (directory / "plans.yaml").write_text(PLANS)
    # its own stack: a plans file allowing one key.
    env = {"ATLAS_PLANS_FILE": str(directory / "plans.yaml")}
    with isolated_stack(directory, env) as (stack, _):
        with stack.together():
            stack.start_entitlements()
            url = stack.start_keys()
        yield url


def create(url: str, name: str) -> httpx.Response:
    return httpx.post(url + "/api/auth/api-key/create", json={"name": name}, timeout=30,
                      headers=internal_headers(DEV_INTERNAL_TOKEN, ADMIN))


def test_parallel_creations_against_room_for_one_create_one(keys_url: str) -> None:
    with ThreadPoolExecutor(5) as pool:
        responses = list(pool.map(lambda i: create(keys_url, f"k{i}"), range(5)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 429, 429, 429, 429], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 429).json()
    assert refused["error"] == "plan_limit_exceeded"
    assert refused["feature"] == "api-keys" and refused["limit"] == 1 and refused["used"] == 1
    assert "retryAfterSeconds" not in refused  # a gauge does not reset
    listed = httpx.get(keys_url + "/api/auth/api-key/list", timeout=10,
                       headers=internal_headers(DEV_INTERNAL_TOKEN, ADMIN)).json()
    assert listed["total"] == 1


def test_a_revoked_key_frees_its_place(keys_url: str) -> None:
    headers = internal_headers(DEV_INTERNAL_TOKEN, ADMIN)
    listed = httpx.get(keys_url + "/api/auth/api-key/list", headers=headers, timeout=10).json()
    for key in listed["apiKeys"]:
        if key["status"] == "active":
            r = httpx.post(keys_url + "/api/auth/api-key/delete", json={"keyId": key["id"]},
                           headers=headers, timeout=10)
            assert r.status_code == 200
    assert create(keys_url, "after-revoke").status_code == 200
    assert create(keys_url, "one-too-many").status_code == 429
