"""The gate: FastAPI dependencies that any service puts on a route.

    @router.get("/explore", dependencies=[Depends(require_feature("data-explorer"))])
    @router.post("/keys")
    async def create(decision: Annotated[Decision, Depends(require_limit("api-keys"))]): ...

The customer is the caller's workspace. The caller comes from ``principal=`` (a dependency
returning a :class:`Principal`, such as the gateway's ``get_principal``), else from
``request.state.principal``, else from the principal header of an internal call carrying the
internal token. The client is the ``entitlements`` attribute of the app's state (an
:class:`EntitlementsClient` built in the app's lifespan, published with
``atlas_common.service.set_state``).

No ``from __future__ import annotations`` here: FastAPI reads the dependencies' annotations,
which name closure variables.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from atlas_common.entitlements._client import EntitlementsClient
from atlas_common.entitlements._errors import raise_for
from atlas_common.entitlements._models import Decision
from atlas_common.errors import AtlasError
from atlas_common.internal import INTERNAL_TOKEN_HEADER, principal_from_request, token_matches
from atlas_common.principal import Principal
from atlas_common.service import APP_STATE

PrincipalDependency = Callable[..., Any]
Gate = Callable[..., Awaitable[Decision]]


def client_of(request: Request) -> EntitlementsClient:
    state = getattr(request.app.state, APP_STATE, None)
    client = getattr(state, "entitlements", None)
    if not isinstance(client, EntitlementsClient):
        raise AtlasError("The entitlement gate has no client (the app state's entitlements)")
    return client


def request_principal(request: Request) -> Principal:
    """The caller: set by the app's own auth, or passed on by the gateway with the token."""
    found = getattr(request.state, "principal", None)
    if isinstance(found, Principal):
        return found
    token = request.headers.get(INTERNAL_TOKEN_HEADER)
    if token_matches(client_of(request).internal_token, token):
        return principal_from_request(request)
    raise AtlasError("Authentication required", code="auth_error", status_code=401)


def require_feature(feature: str, *, principal: PrincipalDependency | None = None) -> Gate:
    """403 ``feature_not_in_plan`` unless ``feature`` is in the caller's plan."""
    who = principal or request_principal

    async def gate(request: Request, caller: Annotated[Principal, Depends(who)]) -> Decision:
        client = client_of(request)
        return raise_for(await client.has_feature(caller.workspace_id, feature))

    gate.__name__ = f"require_feature_{feature.replace('-', '_')}"
    return gate


def require_limit(
    feature: str, requested: int = 1, *, principal: PrincipalDependency | None = None
) -> Gate:
    """429 ``plan_limit_exceeded`` when ``requested`` more would pass the limit (403 when the
    feature is not in the plan, 503 when it cannot be checked and the fallback denies)."""
    who = principal or request_principal

    async def gate(request: Request, caller: Annotated[Principal, Depends(who)]) -> Decision:
        client = client_of(request)
        return raise_for(await client.check(caller.workspace_id, feature, requested))

    gate.__name__ = f"require_limit_{feature.replace('-', '_')}"
    return gate
