"""FastAPI dependencies of the gateway, as ``Annotated`` aliases used by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atlas_common.principal import Principal
from atlas_common.service import app_state
from atlas_gateway.auth.roles import PUBLIC, required_role
from atlas_gateway.errors import NotInRoleTable, RoleTooLow
from atlas_gateway.runs import RunRegistry
from atlas_gateway.service.ask import AskService
from atlas_gateway.state import GatewayState


# async: FastAPI runs a plain ``def`` dependency in the thread pool, a thread hand-off per
# request for what is an attribute read (issue 23).
async def get_state(request: Request) -> GatewayState:
    return app_state(request, GatewayState)


async def get_ask_service(state: Annotated[GatewayState, Depends(get_state)]) -> AskService:
    return AskService(state, RunRegistry(state.redis, state.settings))


async def get_principal(
    request: Request, state: Annotated[GatewayState, Depends(get_state)]
) -> Principal:
    """The verified caller, allowed by the role table and within the rate limit."""
    route = request.scope.get("route")
    need = required_role(request.method, getattr(route, "path", request.url.path))
    if need is None:
        raise NotInRoleTable
    principal = await state.auth.principal(request)
    if need is not PUBLIC and not principal.has_role(need):  # type: ignore[arg-type]
        raise RoleTooLow(str(need), principal.role)
    subject = principal.user_id
    if principal.auth_mode == "none" and request.client is not None:
        subject = f"ip:{request.client.host}"
    await state.limiter.check(f"{principal.workspace_id}:{subject}")
    request.state.principal = principal
    return principal


State = Annotated[GatewayState, Depends(get_state)]
Ask = Annotated[AskService, Depends(get_ask_service)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
