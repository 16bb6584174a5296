"""Every route of the gateway is either public or has a role in the one table (fail closed)."""

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRoute

from atlas_gateway.auth.roles import PUBLIC, ROUTE_ROLES, required_role
from atlas_gateway.main import create_app
from atlas_gateway.settings import GatewaySettings


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, hidden ones included: FastAPI 0.165 lists an included router as one
    entry holding the router (``original_router``), not its routes (the gateway includes its
    routers without a prefix, so their paths are the app's)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _api_routes(route.original_router.routes)


def test_every_route_is_in_the_role_table() -> None:
    app = create_app(GatewaySettings())
    routes = list(_api_routes(app.routes))
    # Guards the walk itself: were included routers skipped again, the check below would pass
    # on the handful of routes the app declares directly.
    assert {"/api/v1/query", "/api/v1/admin/audit", "/admin/{page}"} <= {r.path for r in routes}
    missing = [
        (method, route.path)
        for route in routes
        for method in route.methods
        if required_role(method, route.path) is None
    ]
    assert missing == []


def test_asking_is_for_everyone_and_validation_for_analysts() -> None:
    assert required_role("POST", "/api/v1/query") == "viewer"
    assert required_role("POST", "/api/v1/chat") == "viewer"
    assert required_role("POST", "/api/v1/validate-sql") == "analyst"
    assert required_role("GET", "/api/admin/users") == "admin"
    assert required_role("GET", "/api/health") is PUBLIC
    assert required_role("DELETE", "/api/v1/query") is None
    assert all(
        role in ("viewer", "analyst", "admin") or role is PUBLIC for role in ROUTE_ROLES.values()
    )
