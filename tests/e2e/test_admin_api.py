"""The admin API in managed mode with several workspaces (issue 25): every ``/api/v1/admin/*``
route of the OpenAPI document refuses a viewer and an analyst and answers an admin; the
overview counts the questions asked through the API once the audit consumer wrote them; each
workspace's admin sees only their own workspace's audit rows and counts. With a plans file that
limits ``api-keys`` (a computed limit, counted by the keys service), the plan and the
overview's plan say how many keys the workspace has; with the keys service down, ``null``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.polling import wait_for
from tests.support.stack import Stack, wait_for_workers
from tests.support.stacks import isolated_stack

SECRET = "s" * 40
PASSWORD = "a long enough password"
QUESTION_A = "How many users signed up last week?"
QUESTION_B = "How many orders are there?"
#: A value for each path parameter of an admin route (what it names need not exist).
PATH_VALUES = {"id": "default", "name": "users", "file": "catalog.yml", "folder": "entities"}
AUTH_ENV = {"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": SECRET,
            "ATLAS_MULTI_WORKSPACE": "true", "ATLAS_SIGNUP": "open",
            "ATLAS_AUTH_ARGON2_TIME_COST": "1", "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192"}
PLANS = """
features:
  query:    {type: boolean}
  queries:  {type: metered, unit: question, reset: month}
  api-keys: {type: gauge}
plans:
  team:
    default: true
    features: {query: true, queries: {limit: 100}, api-keys: {limit: 5}}
"""


@dataclass
class Admin:
    gateway: str
    a_admin: str  # session tokens
    a_viewer: str
    a_analyst: str
    b_admin: str


@pytest.fixture(scope="module")
def admin_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Admin]:
    directory = tmp_path_factory.mktemp("admin-api")
    env = {
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_QUERY_DEADLINE_S": "60",
    }
    with isolated_stack(directory, env) as (stack, _):
        stack.start_auth(AUTH_ENV)
        stack.start_query_api()
        stack.start_audit()
        stack.start("atlas-query-worker", "worker-1")
        gateway = stack.start_gateway()
        wait_for_workers(gateway, 1)
        a_admin = sign_up(gateway, "ada@a.example")
        yield Admin(gateway, a_admin,
                    add_user(gateway, a_admin, "vic@a.example", "viewer"),
                    add_user(gateway, a_admin, "ana@a.example", "analyst"),
                    sign_up(gateway, "bob@b.example"))


@dataclass
class Planned:
    stack: Stack
    gateway: str
    a_admin: str
    b_admin: str


@pytest.fixture(scope="module")
def plan_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planned]:
    # its own stack: a plans file (limits the other tests need not meet) and the keys service.
    directory = tmp_path_factory.mktemp("admin-plan")
    (directory / "plans.yaml").write_text(PLANS)
    env = {"ATLAS_PLANS_FILE": str(directory / "plans.yaml")}
    with isolated_stack(directory, env) as (stack, _):
        with stack.together():
            stack.start_entitlements()
            stack.start_keys()
        stack.start_auth(AUTH_ENV)
        gateway = stack.start_gateway()
        yield Planned(stack, gateway, sign_up(gateway, "ada@a.example"),
                      sign_up(gateway, "bob@b.example"))


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def sign_up(gateway: str, email: str) -> str:
    r = httpx.post(gateway + "/api/auth/sign-up/email", timeout=10,
                   json={"email": email, "password": PASSWORD, "name": email.split("@")[0]})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def add_user(gateway: str, admin: str, email: str, role: str) -> str:
    r = httpx.post(gateway + "/api/admin/users", headers=bearer(admin), timeout=10,
                   json={"email": email, "name": "u", "password": PASSWORD, "role": role})
    assert r.status_code == 201, r.text
    r = httpx.post(gateway + "/api/auth/sign-in/email", timeout=10,
                   json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


def admin_routes(gateway: str) -> list[tuple[str, str]]:
    paths = httpx.get(gateway + "/api/v1/openapi.json", timeout=10).json()["paths"]
    return [(method.upper(), re.sub(r"{(\w+)}", lambda m: PATH_VALUES[m.group(1)], path))
            for path, operations in paths.items() if path.startswith("/api/v1/admin/")
            for method in operations]


def call(gateway: str, method: str, path: str, token: str) -> httpx.Response:
    return httpx.request(method, gateway + path, headers=bearer(token), timeout=30)


def get(gateway: str, path: str, token: str, **params: Any) -> Any:
    r = httpx.get(gateway + path, headers=bearer(token), params=params, timeout=30)
    assert r.status_code == 200, (path, r.text)
    return r.json()


def ask(gateway: str, token: str, question: str) -> None:
    r = httpx.post(gateway + "/api/v1/query", json={"question": question},
                   headers=bearer(token), timeout=60)
    assert r.status_code == 200, r.text


def test_every_admin_route_is_for_admins_only(admin_stack: Admin) -> None:
    routes = admin_routes(admin_stack.gateway)
    # The document lists the audit, overview, plan, connections, plugins and semantic routes.
    assert len(routes) >= 18 and ("GET", "/api/v1/admin/overview") in routes
    for method, path in routes:
        for token in (admin_stack.a_viewer, admin_stack.a_analyst):
            r = call(admin_stack.gateway, method, path, token)
            assert (r.status_code, r.json()["error"]) == (403, "forbidden_role"), (method, path)
        r = call(admin_stack.gateway, method, path, admin_stack.a_admin)
        assert r.status_code != 403 and r.status_code < 500, (method, path, r.text)


def test_the_mcp_reads_stay_open_to_a_viewer(admin_stack: Admin) -> None:
    entities = get(admin_stack.gateway, "/api/v1/semantic/entities", admin_stack.a_viewer)
    assert entities["entities"]


def test_overview_counts_questions_and_workspaces_stay_apart(admin_stack: Admin) -> None:
    gw, a, b = admin_stack.gateway, admin_stack.a_admin, admin_stack.b_admin
    ask(gw, a, QUESTION_A)
    ask(gw, admin_stack.a_viewer, QUESTION_A)
    ask(gw, b, QUESTION_B)
    overview_a = wait_for(lambda: _questions_seen(gw, a, 2), timeout=60,
                          what="workspace A's two questions in its overview")
    overview_b = wait_for(lambda: _questions_seen(gw, b, 1), timeout=60,
                          what="workspace B's question in its overview")
    assert overview_a["partial"] is False and overview_a["connections"] == 1
    entities = get(gw, "/api/v1/semantic/entities", a)["entities"]
    assert overview_a["entities"] == len(entities) > 0
    assert overview_a["plan"] == {"workspaceId": overview_a["plan"]["workspaceId"],
                                  "plan": None, "features": [], "unlimited": True}
    assert overview_a["questions"]["topQuestions"][0] == {"question": QUESTION_A, "count": 2}
    assert overview_a["questions"]["activeUsers"] == 2
    assert overview_b["questions"]["topQuestions"] == [{"question": QUESTION_B, "count": 1}]
    rows_a = get(gw, "/api/v1/admin/audit", a, kind="question")["rows"]
    rows_b = get(gw, "/api/v1/admin/audit", b, kind="question")["rows"]
    assert [r["question"] for r in rows_a] == [QUESTION_A, QUESTION_A]
    assert [r["question"] for r in rows_b] == [QUESTION_B]
    assert overview_a["plan"]["workspaceId"] != overview_b["plan"]["workspaceId"]


def test_the_export_is_a_csv_of_the_workspace(admin_stack: Admin) -> None:
    gw, b = admin_stack.gateway, admin_stack.b_admin
    before = get(gw, "/api/v1/admin/audit", b, kind="question")["total"]
    ask(gw, b, QUESTION_B)
    wait_for(lambda: _questions_seen(gw, b, before + 1), timeout=60, what="B's question")
    r = httpx.get(gw + "/api/v1/admin/audit/export", params={"kind": "question"},
                  headers=bearer(b), timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.text.count(QUESTION_B) == before + 1 and QUESTION_A not in r.text


def test_connection_test_reports_read_only(admin_stack: Admin) -> None:
    r = call(admin_stack.gateway, "POST", "/api/v1/admin/connections/default/test",
             admin_stack.a_admin)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["readOnly"]) == ("healthy", True)
    assert call(admin_stack.gateway, "POST", "/api/v1/admin/connections/nope/test",
                admin_stack.a_admin).status_code == 404


def _questions_seen(gateway: str, token: str, count: int) -> dict[str, Any] | None:
    overview: dict[str, Any] = get(gateway, "/api/v1/admin/overview", token)
    questions = overview["questions"]
    return overview if questions is not None and questions["total"] == count else None


def test_the_plan_counts_the_workspaces_api_keys(plan_stack: Planned) -> None:
    gw, a, b = plan_stack.gateway, plan_stack.a_admin, plan_stack.b_admin
    first = _create_key(gw, a, "one")
    _create_key(gw, a, "two")
    _create_key(gw, b, "elsewhere")
    plan = get(gw, "/api/v1/admin/plan", a)
    assert plan["plan"] == "team"
    assert _features(plan)["api-keys"] == {"key": "api-keys", "kind": "metered", "enabled": True,
                                           "limit": 5, "used": 2, "resetsAt": None}
    assert _features(plan)["queries"]["used"] == 0
    assert _features(get(gw, "/api/v1/admin/overview", a)["plan"])["api-keys"]["used"] == 2
    assert _features(get(gw, "/api/v1/admin/plan", b))["api-keys"]["used"] == 1
    r = httpx.post(gw + "/api/auth/api-key/delete", json={"keyId": first}, headers=bearer(a),
                   timeout=10)
    assert r.status_code == 200, r.text
    assert _features(get(gw, "/api/v1/admin/plan", a))["api-keys"]["used"] == 1

    # The keys service down: its count is unknown, the rest of the plan is answered.
    plan_stack.stack.stop(next(p for p in plan_stack.stack.procs if p.name == "keys"))
    plan = get(gw, "/api/v1/admin/plan", a)
    assert _features(plan)["api-keys"]["used"] is None
    assert _features(plan)["api-keys"]["limit"] == 5 and _features(plan)["queries"]["used"] == 0
    overview = get(gw, "/api/v1/admin/overview", a)
    assert _features(overview["plan"])["api-keys"]["used"] is None


def _create_key(gateway: str, token: str, name: str) -> str:
    r = httpx.post(gateway + "/api/auth/api-key/create", json={"name": name},
                   headers=bearer(token), timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def _features(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["key"]: f for f in plan["features"]}
