"""The gateway routes behind the MCP tools, called directly: documented, role-checked, safe
with paths, strict with bodies, and charged to the plan like a question."""

from __future__ import annotations

import httpx

from tests.mcp.conftest import McpStack, bearer, sign_up


def _get(ms: McpStack, path: str, key: str) -> httpx.Response:
    return httpx.get(ms.gateway + path, headers=bearer(key), timeout=10)


def test_routes_are_in_the_openapi_document(mcp_stack: McpStack) -> None:
    paths = httpx.get(mcp_stack.gateway + "/api/v1/openapi.json", timeout=10).json()["paths"]
    for path in (
        "/api/v1/admin/semantic/entities",
        "/api/v1/admin/semantic/entities/{name}",
        "/api/v1/admin/semantic/metrics",
        "/api/v1/admin/semantic/glossary",
        "/api/v1/admin/semantic/catalog",
        "/api/v1/admin/semantic/raw/{file}",
        "/api/v1/admin/semantic/stats",
        "/api/v1/semantic/entities",
        "/api/v1/semantic/entities/{name}",
        "/api/v1/semantic/metrics",
        "/api/v1/semantic/glossary",
        "/api/v1/semantic/catalog",
        "/api/v1/semantic/files",
        "/api/v1/semantic/raw/{file}",
        "/api/v1/semantic/raw/{folder}/{file}",
        "/api/v1/execute-sql",
        "/api/v1/metrics/{metric_id}/run",
    ):
        assert path in paths, path


def test_semantic_reads_for_a_viewer_and_raw_files_stay_inside_the_layer(
    mcp_stack: McpStack,
) -> None:
    key = mcp_stack.viewer_key
    entities = _get(mcp_stack, "/api/v1/semantic/entities", key).json()["entities"]
    # Upstream's EntitySummary names the source and the connection (null when the YAML has none).
    assert entities and all(e["source"] == "default" and e["connection"] is None
                            for e in entities)
    # upstream's /api/v1/admin/semantic/* are the admins' (issue 25)
    assert _get(mcp_stack, "/api/v1/admin/semantic/entities", key).status_code == 403
    metrics = _get(mcp_stack, "/api/v1/semantic/metrics", key).json()["metrics"]
    # One entry per metrics file, upstream's {source, file, data}.
    by_file = {m["file"]: m for m in metrics}
    assert set(by_file) == {"orders", "revenue", "users"}
    assert all(m["source"] == "default" for m in metrics)
    assert "total_gmv" in {x["id"] for x in by_file["revenue"]["data"]["metrics"]}
    raw = _get(mcp_stack, "/api/v1/semantic/raw/entities/users.yml", key)
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/yaml")
    for path in (
        "raw/..%2F..%2Fsettings.py",
        "raw/entities/..%2F..%2F..%2Fpyproject.toml",
        "raw/%2Fetc%2Fpasswd",
        "raw/entities/nope.yml",
        "entities/nope",
    ):
        r = _get(mcp_stack, "/api/v1/semantic/" + path, key)
        assert r.status_code == 404 and r.json()["error"] == "not_found", (path, r.text)
    assert _get(mcp_stack, "/api/v1/semantic/entities", "atlas_sk_nope").status_code == 401


def test_bad_bodies_are_422_not_500(mcp_stack: McpStack) -> None:
    url, key = mcp_stack.gateway, mcp_stack.analyst_key
    for path, body in (
        ("/api/v1/execute-sql", {}),
        ("/api/v1/execute-sql", {"sql": ""}),
        ("/api/v1/metrics/signups/run", {"dimension": ["plan"]}),
    ):
        r = httpx.post(url + path, json=body, headers=bearer(key), timeout=10)
        assert r.status_code == 422 and r.json()["error"] == "validation_error", (path, r.text)


def test_execute_sql_is_charged_like_a_question(mcp_stack: McpStack) -> None:
    other = sign_up(mcp_stack.gateway, "third@example.com")
    mcp_stack.set_plan(other["user"]["workspaceId"], "one-question")
    key = mcp_stack.create_key(other["token"], role="analyst")["key"]

    def run() -> httpx.Response:
        return httpx.post(
            mcp_stack.gateway + "/api/v1/execute-sql",
            headers=bearer(key),
            json={"sql": "SELECT COUNT(*) AS n FROM users"},
            timeout=30,
        )

    assert run().status_code == 200
    limited = run()
    assert limited.status_code == 429 and limited.json()["error"] == "plan_limit_exceeded"
