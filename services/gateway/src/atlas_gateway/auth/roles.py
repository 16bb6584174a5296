"""The role table: which role each route needs, declared in one place.

Later issues add their routes here. A route that is neither public nor listed is refused
(fail closed); a test checks that every route of the app is one or the other.
"""

from __future__ import annotations

from typing import Final

from atlas_common.principal import Role

PUBLIC: Final = object()

#: (method, route path as declared) -> the lowest role that may call it, or PUBLIC.
ROUTE_ROLES: Final[dict[tuple[str, str], Role | object]] = {
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/me"): "viewer",
    # Asking: any authenticated principal.
    ("POST", "/api/v1/query"): "viewer",
    ("POST", "/api/v1/chat"): "viewer",
    ("POST", "/api/chat"): "viewer",
    ("GET", "/api/v1/chat/{run_id}/stream"): "viewer",
    ("GET", "/api/chat/{run_id}/stream"): "viewer",
    ("POST", "/api/v1/chat/{request_id}/stop"): "viewer",
    # Upstream Atlas's run routes (aliases of the two above).
    ("POST", "/api/v1/chat/{conversation_id}/resume"): "viewer",
    ("GET", "/api/v1/chat/{conversation_id}/run-status"): "viewer",
    ("POST", "/api/v1/chat/runs/{run_id}/stop"): "viewer",
    # Conversations: every principal has their own.
    ("GET", "/api/v1/conversations"): "viewer",
    ("GET", "/api/v1/conversations/{conversation_id}"): "viewer",
    ("DELETE", "/api/v1/conversations/{conversation_id}"): "viewer",
    ("PATCH", "/api/v1/conversations/{conversation_id}/star"): "viewer",
    ("POST", "/api/v1/conversations/{conversation_id}/share"): "viewer",
    ("DELETE", "/api/v1/conversations/{conversation_id}/share"): "viewer",
    # A shared conversation: the token in the path is the credential.
    ("GET", "/api/public/conversations/{token}"): PUBLIC,
    # The query API.
    ("GET", "/api/v1/tables"): "viewer",
    ("POST", "/api/v1/validate-sql"): "analyst",
    # The semantic layer, read-only, and running SQL or a metric (the MCP server's tools):
    # /api/v1/semantic/* for any principal, upstream's /api/v1/admin/semantic/* for admins.
    ("GET", "/api/v1/semantic/entities"): "viewer",
    ("GET", "/api/v1/semantic/entities/{name}"): "viewer",
    ("GET", "/api/v1/semantic/metrics"): "viewer",
    ("GET", "/api/v1/semantic/glossary"): "viewer",
    ("GET", "/api/v1/semantic/catalog"): "viewer",
    ("GET", "/api/v1/semantic/files"): "viewer",
    ("GET", "/api/v1/semantic/raw/{file}"): "viewer",
    ("GET", "/api/v1/semantic/raw/{folder}/{file}"): "viewer",
    ("POST", "/api/v1/execute-sql"): "analyst",
    ("POST", "/api/v1/metrics/{metric_id}/run"): "viewer",
    ("GET", "/api/v1/starter-prompts"): "viewer",
    # API keys (keys service): the admins of a workspace manage its keys.
    ("GET", "/api/auth/api-key/list"): "admin",
    ("POST", "/api/auth/api-key/create"): "admin",
    ("POST", "/api/auth/api-key/delete"): "admin",
    ("*", "/api/auth/api-key/{path:path}"): "admin",
    # The auth service's own routes check the caller themselves (sign-in has none).
    ("*", "/api/auth/{path:path}"): PUBLIC,
    # Scheduled tasks (scheduler service): owners their own, admins the workspace's.
    ("GET", "/api/v1/scheduled-tasks"): "viewer",
    ("POST", "/api/v1/scheduled-tasks"): "viewer",
    ("GET", "/api/v1/scheduled-tasks/{id}"): "viewer",
    ("PUT", "/api/v1/scheduled-tasks/{id}"): "viewer",
    ("DELETE", "/api/v1/scheduled-tasks/{id}"): "viewer",
    ("POST", "/api/v1/scheduled-tasks/{id}/run"): "viewer",
    ("GET", "/api/v1/scheduled-tasks/{id}/runs"): "viewer",
    # The admin API (issue 25): every /api/v1/admin/* route is the workspace admins'.
    ("GET", "/api/v1/admin/semantic/entities"): "admin",
    ("GET", "/api/v1/admin/semantic/entities/{name}"): "admin",
    ("GET", "/api/v1/admin/semantic/metrics"): "admin",
    ("GET", "/api/v1/admin/semantic/glossary"): "admin",
    ("GET", "/api/v1/admin/semantic/catalog"): "admin",
    ("GET", "/api/v1/admin/semantic/files"): "admin",
    ("GET", "/api/v1/admin/semantic/raw/{file}"): "admin",
    ("GET", "/api/v1/admin/semantic/raw/{folder}/{file}"): "admin",
    ("GET", "/api/v1/admin/semantic/stats"): "admin",
    ("GET", "/api/v1/admin/audit"): "admin",
    ("GET", "/api/v1/admin/audit/stats"): "admin",
    ("GET", "/api/v1/admin/audit/export"): "admin",
    ("GET", "/api/v1/admin/overview"): "admin",
    ("GET", "/api/v1/admin/plan"): "admin",
    ("GET", "/api/v1/admin/connections"): "admin",
    ("POST", "/api/v1/admin/connections/{id}/test"): "admin",
    ("GET", "/api/v1/admin/plugins"): "admin",
    ("POST", "/api/v1/admin/plugins/{id}/health"): "admin",
    # User management.
    ("*", "/api/admin/users"): "admin",
    ("*", "/api/admin/users/{path:path}"): "admin",
    # The admin console: an HTML shell and built files, no data (it comes from the routes above).
    ("GET", "/admin"): PUBLIC,
    ("GET", "/admin/{page}"): PUBLIC,
    ("GET", "/admin/assets/{name}"): PUBLIC,
    # The widget and the chat page: static files, their data comes from authenticated APIs.
    ("GET", "/widget.js"): PUBLIC,
    ("GET", "/widget"): PUBLIC,
    ("GET", "/widget/assets/{name}"): PUBLIC,
    ("GET", "/"): PUBLIC,
}


def required_role(method: str, path: str) -> Role | object | None:
    """The entry for a route; None when the route is not in the table."""
    return ROUTE_ROLES.get((method, path), ROUTE_ROLES.get(("*", path)))
