"""Typed application state and the dependencies routes use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from atlas_common.internal import principal_from_request, require_internal_token
from atlas_common.principal import Principal
from atlas_query.api.service import QueryApiService
from atlas_query.settings import QuerySettings


@dataclass(frozen=True)
class AppState:
    settings: QuerySettings
    service: QueryApiService


def get_state(request: Request) -> AppState:
    state = request.app.state.atlas
    assert isinstance(state, AppState)
    return state


async def internal_token(request: Request) -> None:
    """Refuse (401) any call without the internal token."""
    await require_internal_token(get_state(request).settings.internal_token)(request)


def get_service(request: Request) -> QueryApiService:
    return get_state(request).service


ServiceDep = Annotated[QueryApiService, Depends(get_service)]
PrincipalDep = Annotated[Principal, Depends(principal_from_request)]
