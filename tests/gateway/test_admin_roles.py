"""The role table for issue 25: every /api/v1/admin/* route of the app is the admins', and
the read-only semantic aliases under /api/v1/semantic/* (the MCP server's) are any role's."""

from atlas_gateway.auth.roles import required_role
from atlas_gateway.main import create_app
from atlas_gateway.settings import GatewaySettings


def _routes(prefix: str) -> list[tuple[str, str]]:
    """From the OpenAPI document: FastAPI's ``app.routes`` lists included routers, not their
    routes."""
    paths = create_app(GatewaySettings()).openapi()["paths"]
    return [(method.upper(), path) for path, operations in paths.items()
            if path.startswith(prefix) for method in operations]


def test_every_admin_route_needs_an_admin() -> None:
    routes = _routes("/api/v1/admin/")
    assert ("GET", "/api/v1/admin/audit/export") in routes and len(routes) >= 18
    assert {path: required_role(method, path) for method, path in routes} == {
        path: "admin" for _, path in routes}


def test_the_semantic_aliases_are_for_every_role() -> None:
    routes = _routes("/api/v1/semantic/")
    assert len(routes) == 8
    admin_reads = {path.replace("/admin", "") for _, path in _routes("/api/v1/admin/semantic/")}
    assert {path for _, path in routes} == admin_reads - {"/api/v1/semantic/stats"}
    assert all(required_role(method, path) == "viewer" for method, path in routes)
