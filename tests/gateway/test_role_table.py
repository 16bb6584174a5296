"""Every route of the gateway is either public or has a role in the one table (fail closed)."""

from fastapi.routing import APIRoute

from atlas_gateway.auth.roles import PUBLIC, ROUTE_ROLES, required_role
from atlas_gateway.main import create_app
from atlas_gateway.settings import GatewaySettings


def test_every_route_is_in_the_role_table() -> None:
    app = create_app(GatewaySettings())
    missing = [
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute)
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
