"""The wire Atlas's own SDK (`@useatlas/sdk`) calls, through the session's managed stack
(tests/support/stacks.py: managed auth + keys + query-api + a worker + audit + the gateway).
Starter prompts, conversation fields and surfaces, share links and their public view, the
upstream run routes, validate-sql layers, an unknown connection, and each bad input as a 4xx
with a stable code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis

from tests.support.isolation import BASE_REDIS_URL
from tests.support.polling import wait_for
from tests.support.sse import SseFrame, parse_sse
from tests.support.stacks import ManagedStack

PASSWORD = "a long enough password"
QUESTION = "How many users signed up last week?"
LONG_QUESTION = "Why is the sky blue?"  # the long "can't answer" text: many tokens


@dataclass
class Wire:
    gateway: str
    ana: dict[str, str]  # the workspace's first user: admin
    bob: dict[str, str]  # a viewer of the same workspace
    redis_prefix: str

    def get(self, path: str, who: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        return httpx.get(self.gateway + path, headers=who or {}, timeout=10, **kw)

    def post(self, path: str, who: dict[str, str] | None, body: Any = None) -> httpx.Response:
        return httpx.post(self.gateway + path, headers=who or {}, json=body, timeout=60)

    def delete(self, path: str, who: dict[str, str]) -> httpx.Response:
        return httpx.delete(self.gateway + path, headers=who, timeout=10)


@pytest.fixture(scope="module")
def wire(managed_stack: ManagedStack) -> Wire:
    _, token = managed_stack.sign_up("ana", PASSWORD)  # a workspace of its own, ana its admin
    ana = {"authorization": f"Bearer {token}"}
    return Wire(managed_stack.a, ana, _viewer(managed_stack, ana),
                managed_stack.isolation.redis_prefix)


def _viewer(managed: ManagedStack, admin: dict[str, str]) -> dict[str, str]:
    email = managed.email("bob")
    r = httpx.post(managed.a + "/api/admin/users", headers=admin, timeout=10,
                   json={"email": email, "name": "Bob", "password": PASSWORD, "role": "viewer"})
    assert r.status_code == 201, r.text
    r = httpx.post(managed.a + "/api/auth/sign-in/email", timeout=10,
                   json={"email": email, "password": PASSWORD})
    return {"authorization": f"Bearer {r.json()['token']}"}


def ask(wire: Wire, who: dict[str, str], **body: Any) -> dict[str, Any]:
    r = wire.post("/api/v1/query", who, {"question": QUESTION, **body})
    assert r.status_code == 200, r.text
    return dict(r.json())


def chat_body(text: str, chat_id: str) -> dict[str, Any]:
    return {"id": chat_id,
            "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}]}


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, str(response.json()["error"])


def test_starter_prompts_come_from_the_demo_layer(wire: Wire) -> None:
    r = wire.get("/api/v1/starter-prompts", wire.bob)
    body = r.json()
    assert r.status_code == 200 and body["total"] == len(body["prompts"]) == 6
    assert body["prompts"][0] == {"id": body["prompts"][0]["id"], "text": QUESTION,
                                  "provenance": "library"}
    assert len(wire.get("/api/v1/starter-prompts?limit=2", wire.bob).json()["prompts"]) == 2
    assert wire.get("/api/v1/starter-prompts").status_code == 401


def test_conversations_carry_the_upstream_fields(wire: Wire) -> None:
    answer = ask(wire, wire.ana, surface="mcp")
    assert answer["runId"] == answer["requestId"]
    cid = answer["conversationId"]
    body = wire.get(f"/api/v1/conversations/{cid}", wire.ana).json()
    assert body["surface"] == "mcp" and body["userId"]
    assert (body["connectionId"], body["connectionGroupId"]) == ("default", None)
    assert [m["conversationId"] for m in body["messages"]] == [cid, cid]
    listed = wire.get("/api/v1/conversations", wire.ana).json()["conversations"]
    assert next(c for c in listed if c["id"] == cid)["userId"] == body["userId"]
    with httpx.stream("POST", wire.gateway + "/api/v1/chat", headers=wire.ana,
                      json=chat_body(QUESTION, "wire-chat-web"), timeout=60) as r:
        assert r.headers["x-run-id"] == r.headers["x-request-id"]
        assert list(parse_sse(r.iter_lines()))[-1].data == "[DONE]"
    assert wire.get("/api/v1/conversations/wire-chat-web", wire.ana).json()["surface"] == "web"
    assert ask(wire, wire.ana)["conversationId"] != cid  # no conversationId: a new one


def test_a_share_link_is_public_read_only_and_revocable(wire: Wire) -> None:
    cid = ask(wire, wire.ana)["conversationId"]
    path = f"/api/v1/conversations/{cid}/share"
    assert error_of(wire.post(path, wire.bob, {})) == (404, "not_found")  # not the owner
    r = wire.post(path, wire.ana, {})
    link = r.json()
    assert r.status_code == 200 and link["shareMode"] == "public" and link["expiresAt"] is None
    public = f"/api/public/conversations/{link['token']}"
    assert link["url"] == wire.gateway + public
    view = wire.get(public)  # no credential at all
    assert view.status_code == 200, view.text
    assert [m["role"] for m in view.json()["messages"]] == ["user", "assistant"]
    assert "sql" not in view.json()["messages"][1] and "id" not in view.json()
    assert wire.delete(path, wire.bob).status_code == 404
    assert wire.delete(path, wire.ana).status_code == 204
    assert error_of(wire.get(public)) == (404, "not_found")
    expiring = wire.post(path, wire.ana, {"expiresIn": "1h"}).json()
    assert expiring["expiresAt"]
    assert httpx.get(expiring["url"], timeout=10).status_code == 200
    assert error_of(wire.post(path, wire.ana, {"expiresIn": "1y"})) == (422, "validation_error")


def test_run_status_resume_and_stop_by_upstream_paths(wire: Wire) -> None:
    unknown = wire.get("/api/v1/chat/never-ran/run-status", wire.ana)
    assert error_of(unknown) == (404, "not_found")
    answer = ask(wire, wire.ana)
    cid, run_id = answer["conversationId"], answer["runId"]
    status = wire.get(f"/api/v1/chat/{cid}/run-status", wire.ana).json()
    assert status == {"status": "done", "runId": run_id, "parkedReason": None}
    # Not bob's: 404 as upstream, no hint that the conversation exists.
    assert error_of(wire.get(f"/api/v1/chat/{cid}/run-status", wire.bob)) == (404, "not_found")
    assert error_of(wire.post(f"/api/v1/chat/runs/{run_id}/stop", wire.ana)) == (404,
                                                                                 "not_found")
    assert error_of(wire.post(f"/api/v1/chat/{cid}/resume", wire.ana)) == (404, "not_found")
    with httpx.stream("POST", f"{wire.gateway}/api/v1/chat/{cid}/resume", timeout=30,
                      headers={**wire.ana, "last-event-id": "0-0"}) as r:
        assert r.status_code == 200 and r.headers["x-run-id"] == run_id
        frames = list(parse_sse(r.iter_lines()))
    assert frames[0].type == "start" and frames[-1].data == "[DONE]"
    assert "text-delta" in {f.type for f in frames}


def test_run_status_of_an_own_conversation_without_a_run_is_none(wire: Wire) -> None:
    answer = ask(wire, wire.ana)
    cid, run_id = answer["conversationId"], answer["runId"]
    wait_for(lambda: wire.get(f"/api/v1/conversations/{cid}", wire.ana).status_code == 200,
             timeout=10, what="the conversation recorded")
    # The run's record expires with the replay window; the conversation stays.
    client = redis.Redis.from_url(BASE_REDIS_URL)
    try:
        assert client.delete(f"{wire.redis_prefix}run:{run_id}:owner") == 1
    finally:
        client.close()
    assert wire.get(f"/api/v1/chat/{cid}/run-status", wire.ana).json() == {"status": "none"}
    assert error_of(wire.get(f"/api/v1/chat/{cid}/run-status", wire.bob)) == (404, "not_found")


def test_a_running_chat_is_stopped_by_its_run_id(wire: Wire) -> None:
    frames: list[SseFrame] = []
    with httpx.stream("POST", wire.gateway + "/api/v1/chat", headers=wire.ana,
                      json=chat_body(LONG_QUESTION, "wire-chat-stop"), timeout=30) as r:
        run_id = r.headers["x-run-id"]
        for frame in parse_sse(r.iter_lines()):
            frames.append(frame)
            if frame.type == "text-delta" and sum(f.type == "text-delta" for f in frames) == 2:
                status = wire.get("/api/v1/chat/wire-chat-stop/run-status", wire.ana).json()
                assert status["status"] == "running" and status["runId"] == run_id
                assert wire.post(f"/api/v1/chat/runs/{run_id}/stop", wire.bob).status_code == 404
                stop = wire.post(f"/api/v1/chat/runs/{run_id}/stop", wire.ana)
                assert (stop.status_code, stop.json()) == (200, {"stopped": True})
    assert [f.type for f in frames][-2:] == ["finish", "[DONE]"]
    wait_for(lambda: wire.get("/api/v1/chat/wire-chat-stop/run-status", wire.ana)
             .json()["status"] in ("done", "failed"), timeout=10, what="the run settled")


def test_validate_sql_names_layers_as_upstream(wire: Wire) -> None:
    cases = {"": "empty_check", "DELETE FROM users": "regex_guard",
             "SELECT 1; SELECT 2": "ast_parse", "SELECT * FROM secrets": "table_whitelist"}
    for sql, layer in cases.items():
        body = wire.post("/api/v1/validate-sql", wire.ana, {"sql": sql}).json()
        assert (body["valid"], [e["layer"] for e in body["errors"]]) == (False, [layer]), sql
    unknown = wire.post("/api/v1/validate-sql", wire.ana, {"sql": "SELECT 1",
                                                           "connectionId": "nope"})
    assert error_of(unknown) == (404, "not_found")


def test_tables_of_an_unknown_connection_are_not_found(wire: Wire) -> None:
    assert error_of(wire.get("/api/v1/tables?connectionId=nope", wire.bob)) == (404, "not_found")
    tables = wire.get("/api/v1/tables?connectionId=default", wire.bob)
    assert tables.status_code == 200 and tables.json()["tables"]


@pytest.mark.parametrize(("method", "path", "body", "expected"), [
    ("POST", "/api/v1/query", {"question": "   "}, (422, "validation_error")),
    ("POST", "/api/v1/query", {"question": "x" * 4001}, (422, "validation_error")),
    ("POST", "/api/v1/query", {"question": QUESTION, "conversationId": "../etc"},
     (422, "validation_error")),
    ("POST", "/api/v1/query", {"question": QUESTION, "surface": "email"},
     (422, "validation_error")),
    ("POST", "/api/v1/chat", {"messages": [{"id": "m", "role": "user", "parts": []}]},
     (422, "validation_error")),
    ("GET", "/api/v1/conversations/bad.id", None, (400, "invalid_request")),
    ("DELETE", "/api/v1/conversations/bad.id", None, (400, "invalid_request")),
    ("POST", f"/api/v1/conversations/{'x' * 201}/share", {}, (400, "invalid_request")),
    ("GET", "/api/v1/chat/bad.id/run-status", None, (400, "invalid_request")),
    ("GET", "/api/public/conversations/" + "t" * 43, None, (404, "not_found")),
    ("GET", "/api/public/conversations/short", None, (404, "not_found")),
])
def test_bad_input_is_a_4xx_with_a_stable_code(
    wire: Wire, method: str, path: str, body: Any, expected: tuple[int, str]
) -> None:
    r = httpx.request(method, wire.gateway + path, headers=wire.ana, json=body, timeout=10)
    assert error_of(r) == expected, r.text


def test_a_revoked_key_is_an_auth_error(wire: Wire) -> None:
    created = wire.post("/api/auth/api-key/create", wire.ana, {"name": "sdk"}).json()
    key = {"authorization": f"Bearer {created['key']}"}
    assert wire.get("/api/v1/starter-prompts", key).status_code == 200
    revoked = wire.post("/api/auth/api-key/delete", wire.ana, {"keyId": created["id"]})
    assert revoked.status_code == 200
    assert error_of(wire.get("/api/v1/starter-prompts", key)) == (401, "auth_error")


AUDIT_ENTRY_UPSTREAM = {"id", "timestamp", "userId", "userLabel", "authMode", "sql", "durationMs",
                        "rowCount", "success", "error", "sourceId", "sourceType", "targetHost"}


def _audited(wire: Wire, path: str, key: str, value: str) -> dict[str, Any]:
    """The page of ``path`` (admin) once a row with ``key == value`` is in it."""
    def page() -> dict[str, Any] | None:
        body = wire.get(path, wire.ana).json()
        return body if value in {row[key] for row in body["rows"]} else None
    return wait_for(page, timeout=30, what=f"{value} in the audit trail")


def test_admin_audit_and_overview_as_upstream_getauditlog_reads_them(wire: Wire) -> None:
    request_id = ask(wire, wire.ana)["requestId"]
    # upstream's getAuditLog({limit, offset, user, success, from, to})
    today = datetime.now(UTC).date().isoformat()
    page = _audited(wire, f"/api/v1/admin/audit?limit=50&offset=0&success=true&from={today}",
                    "requestId", request_id)
    assert {"rows", "total", "limit", "offset"} <= set(page) and page["limit"] == 50
    row = next(r for r in page["rows"] if r["requestId"] == request_id)
    assert set(row) >= AUDIT_ENTRY_UPSTREAM and row["success"] is True and row["sql"]
    mine = wire.get(f"/api/v1/admin/audit?user={row['userId']}&limit=200", wire.ana).json()
    assert {r["userId"] for r in mine["rows"]} == {row["userId"]}
    stats = wire.get("/api/v1/admin/audit/stats", wire.ana).json()
    assert {"totalQueries", "totalErrors", "errorRate", "queriesPerDay"} <= set(stats)
    overview = wire.get("/api/v1/admin/overview", wire.ana).json()
    assert {"connections", "entities", "metrics", "glossaryTerms", "plugins",
            "pluginHealth"} <= set(overview) and overview["entities"] > 0
    for path in ("/api/v1/admin/audit", "/api/v1/admin/overview", "/api/v1/admin/audit/export"):
        assert error_of(wire.get(path, wire.bob)) == (403, "forbidden_role"), path
    assert error_of(wire.get("/api/v1/admin/audit?from=soon", wire.ana))[1] == "validation_error"


def test_a_revoked_key_is_in_the_audit_trail_as_a_change(wire: Wire) -> None:
    created = wire.post("/api/auth/api-key/create", wire.ana, {"name": "audited"}).json()
    assert wire.post("/api/auth/api-key/delete", wire.ana, {"keyId": created["id"]}).status_code \
        == 200
    page = _audited(wire, "/api/v1/admin/audit?kind=change&action=key.revoked", "targetId",
                    created["id"])
    row = next(r for r in page["rows"] if r["targetId"] == created["id"])
    assert (row["kind"], row["action"], row["question"]) == ("change", "key.revoked", None)


def test_the_openapi_document_describes_every_new_route(wire: Wire) -> None:
    spec = wire.get("/api/v1/openapi.json").json()
    expected = {
        ("get", "/api/v1/starter-prompts"): "StarterPromptsResponse",
        ("post", "/api/v1/conversations/{conversation_id}/share"): "ShareLink",
        ("get", "/api/public/conversations/{token}"): "SharedConversation",
        ("get", "/api/v1/chat/{conversation_id}/run-status"): "RunStatusResponse",
        ("post", "/api/v1/chat/runs/{run_id}/stop"): "StopRunResponse",
        ("get", "/api/v1/conversations/{conversation_id}"): "ConversationDetail",
        ("get", "/api/v1/tables"): "TablesResponse",
        ("post", "/api/v1/validate-sql"): "ValidateSqlResponse",
        ("get", "/api/v1/admin/audit"): "AuditLogResponse",
        ("get", "/api/v1/admin/audit/stats"): "AuditStats",
        ("get", "/api/v1/admin/overview"): "AdminOverview",
        ("get", "/api/v1/admin/plan"): "PlanResponse",
    }
    for (method, path), model in expected.items():
        ok = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"]["$ref"] == f"#/components/schemas/{model}", path
    schemas = spec["components"]["schemas"]
    assert {"userId", "connectionId", "surface"} <= set(schemas["ConversationOut"]["properties"])
    assert schemas["MessageOut"]["properties"]["conversationId"]
    assert "HTTPValidationError" not in schemas  # 422s are documented as the envelope
