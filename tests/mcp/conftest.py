"""One real Atlas stack for the MCP tests, started once for the package.

Managed auth with several workspaces, the keys and entitlements services (a plans file: the
first workspace unlimited, a second one on a one-question plan), the query-api with row-level
security on ``orders`` by the ``country`` claim, one worker, one gateway, and ``atlas-mcp``
serving streamable HTTP against that gateway. Every MCP call goes through the gateway with a
stored API key, exactly as a user's MCP client would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from atlas_common.internal import internal_headers
from atlas_common.settings import DEV_INTERNAL_TOKEN
from tests.support.stack import Proc, Stack, free_port, wait_for_workers, wait_http
from tests.support.stacks import isolated_stack

SECRET = "m" * 40
PASSWORD = "a long enough password"
PLANS = """
features:
  query:      {type: boolean}
  queries:    {type: metered, unit: question, reset: month}
  llm-tokens: {type: metered, unit: token, reset: month}
  api-keys:   {type: gauge}
plans:
  unlimited:
    default: true
    features: {query: true, queries: {unlimited: true}, llm-tokens: {unlimited: true},
               api-keys: {unlimited: true}}
  one-question:
    features: {query: true, queries: {limit: 1}, llm-tokens: {unlimited: true},
               api-keys: {unlimited: true}}
"""
RLS = [{"tables": ["orders"], "column": "country", "claim": "country"}]
DEMO_QUESTION = "How many users signed up last week?"


@dataclass
class McpStack:
    stack: Stack
    gateway: str
    mcp_url: str
    entitlements: str
    owner_token: str  # session of the first workspace's admin
    admin_key: str  # stored key, role admin, no claims
    analyst_key: str
    viewer_key: str
    de_key: str  # claims {"country": "Germany"}: sees only German orders

    def create_key(self, token: str | None = None, **body: Any) -> dict[str, Any]:
        body.setdefault("name", "mcp test key")
        r = httpx.post(
            self.gateway + "/api/auth/api-key/create",
            json=body,
            headers=bearer(token or self.owner_token),
            timeout=10,
        )
        assert r.status_code == 200, r.text
        created: dict[str, Any] = r.json()
        return created

    def revoke(self, key_id: str, token: str | None = None) -> None:
        r = httpx.post(
            self.gateway + "/api/auth/api-key/delete",
            json={"keyId": key_id},
            headers=bearer(token or self.owner_token),
            timeout=10,
        )
        assert r.status_code == 200, r.text

    def set_plan(self, workspace: str, plan: str) -> None:
        r = httpx.put(
            f"{self.entitlements}/internal/v1/customers/{workspace}/subscription",
            json={"plan": plan},
            headers=internal_headers(DEV_INTERNAL_TOKEN),
            timeout=10,
        )
        assert r.status_code < 300, r.text


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def sign_up(url: str, email: str) -> dict[str, Any]:
    r = httpx.post(
        url + "/api/auth/sign-up/email",
        timeout=10,
        json={"email": email, "password": PASSWORD, "name": email.split("@")[0]},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def add_user(url: str, token: str, email: str, role: str, claims: dict[str, Any]) -> str:
    r = httpx.post(
        url + "/api/admin/users",
        headers=bearer(token),
        timeout=10,
        json={"email": email, "name": "u", "password": PASSWORD, "role": role, "claims": claims},
    )
    assert r.status_code == 201, r.text
    r = httpx.post(
        url + "/api/auth/sign-in/email", json={"email": email, "password": PASSWORD}, timeout=10
    )
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def _start(stack: Stack, command: str, name: str, port_var: str, **env: str) -> tuple[str, Proc]:
    port = free_port()
    proc = stack.start(command, name, {port_var: str(port), **env})
    return f"http://127.0.0.1:{port}", proc


def _start_all(stack: Stack) -> tuple[str, str]:
    """Services first (all at once), then the gateway and the MCP server that use them."""
    services = (
        ("ATLAS_KEYS_URL", "atlas-keys", "keys", "ATLAS_KEYS_PORT"),
        ("ATLAS_AUTH_URL", "atlas-auth", "auth", "ATLAS_AUTH_PORT"),
        ("ATLAS_ENTITLEMENTS_URL", "atlas-entitlements", "entitlements", "ATLAS_ENTITLEMENTS_PORT"),
        ("ATLAS_QUERY_API_URL", "atlas-query-api", "query-api", "ATLAS_QUERY_API_PORT"),
    )
    ports = {var: free_port() for var, *_ in services}
    for var, port in ports.items():  # every service knows every other's address
        stack.env[var] = f"http://127.0.0.1:{port}"
    started = {
        var: stack.start(command, name, {port_var: str(ports[var])})
        for var, command, name, port_var in services
    }
    stack.start("atlas-query-worker", "worker-1")
    for var, proc in started.items():
        wait_http(stack.env[var] + "/healthz", proc)
    gateway, proc = _start(stack, "atlas-gateway", "gateway", "ATLAS_GATEWAY_PORT")
    wait_http(gateway + "/healthz", proc)
    mcp, proc = _start(
        stack, "atlas-mcp", "mcp", "ATLAS_MCP_PORT", ATLAS_URL=gateway, ATLAS_MCP_TRANSPORT="http",
        ATLAS_LOG_LEVEL="DEBUG",  # tests/mcp/test_logs.py reads every line for a key
    )
    wait_http(mcp + "/healthz", proc)
    wait_for_workers(gateway)
    return gateway, mcp + "/mcp"


@pytest.fixture(scope="package")
def mcp_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[McpStack]:
    directory = tmp_path_factory.mktemp("mcp")
    plans = directory / "plans.yaml"
    plans.write_text(PLANS)
    env = {
        "ATLAS_AUTH_MODE": "managed",
        "BETTER_AUTH_SECRET": SECRET,
        "ATLAS_MULTI_WORKSPACE": "true",
        "ATLAS_SIGNUP": "open",
        "ATLAS_AUTH_ARGON2_TIME_COST": "1",
        "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192",
        "ATLAS_PLANS_FILE": str(plans),
        "ATLAS_RLS_POLICIES": json.dumps(RLS),
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_QUERY_DEADLINE_S": "60",
    }
    with isolated_stack(directory, env) as (stack, _):
        gateway, mcp = _start_all(stack)
        owner = sign_up(gateway, "owner@example.com")["token"]
        de_admin = add_user(gateway, owner, "de@example.com", "admin", {"country": "Germany"})
        ms = McpStack(
            stack, gateway, mcp, stack.env["ATLAS_ENTITLEMENTS_URL"], owner, "", "", "", ""
        )
        ms.admin_key = ms.create_key(role="admin")["key"]
        ms.analyst_key = ms.create_key(role="analyst")["key"]
        ms.viewer_key = ms.create_key(role="viewer")["key"]
        ms.de_key = ms.create_key(de_admin, role="analyst", claims={"country": "Germany"})["key"]
        yield ms
