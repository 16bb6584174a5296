"""FastAPI dependencies of the gateway, as ``Annotated`` aliases used by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atlas_common.principal import ANONYMOUS, Principal
from atlas_gateway.runs import RunRegistry
from atlas_gateway.service.ask import AskService
from atlas_gateway.state import GatewayState


def get_state(request: Request) -> GatewayState:
    state: GatewayState = request.app.state.gateway
    return state


def get_ask_service(state: Annotated[GatewayState, Depends(get_state)]) -> AskService:
    return AskService(state, RunRegistry(state.redis, state.settings))


async def get_principal(request: Request) -> Principal:
    """The caller. Until the auth service is wired in, every caller is the anonymous admin."""
    request.state.principal = ANONYMOUS
    return ANONYMOUS


State = Annotated[GatewayState, Depends(get_state)]
Ask = Annotated[AskService, Depends(get_ask_service)]
CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
