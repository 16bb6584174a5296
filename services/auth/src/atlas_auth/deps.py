"""The FastAPI dependencies of the routes, on the app's typed state (:mod:`atlas_auth.state`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atlas_auth.credentials import from_request
from atlas_auth.errors import ForbiddenRole, ManagedOnly
from atlas_auth.state import AuthState, Managed
from atlas_auth.verify import SessionAuth
from atlas_common.principal import Principal
from atlas_common.service import app_state


def get_state(request: Request) -> AuthState:
    return app_state(request, AuthState)


StateDep = Annotated[AuthState, Depends(get_state)]


def get_managed(state: StateDep) -> Managed:
    if state.managed is None:
        raise ManagedOnly(state.verifier.mode)
    return state.managed


ManagedDep = Annotated[Managed, Depends(get_managed)]


async def get_session(request: Request, state: StateDep, _: ManagedDep) -> SessionAuth:
    """The caller's own session (cookie or Bearer), verified like any credential."""
    return await state.verifier.session(from_request(request))


SessionDep = Annotated[SessionAuth, Depends(get_session)]


async def get_admin(request: Request, state: StateDep, _: ManagedDep) -> Principal:
    """The caller, verified from the credential it forwarded, who must be an admin."""
    principal = await state.verifier.verify(from_request(request))
    if not principal.has_role("admin"):
        raise ForbiddenRole("User management needs the admin role")
    return principal


AdminDep = Annotated[Principal, Depends(get_admin)]
