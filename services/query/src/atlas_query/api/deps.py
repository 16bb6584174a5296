"""Typed application state and the dependencies routes use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from atlas_common.internal import principal_from_request
from atlas_common.principal import Principal
from atlas_common.service import app_state
from atlas_query.api.service import QueryApiService
from atlas_query.conversations.service import ConversationService
from atlas_query.conversations.sharing import SharingService
from atlas_query.settings import QuerySettings


@dataclass(frozen=True)
class AppState:
    settings: QuerySettings
    service: QueryApiService
    conversations: ConversationService
    sharing: SharingService


def get_state(request: Request) -> AppState:
    return app_state(request, AppState)


def get_service(request: Request) -> QueryApiService:
    return get_state(request).service


def get_conversations(request: Request) -> ConversationService:
    return get_state(request).conversations


def get_sharing(request: Request) -> SharingService:
    return get_state(request).sharing


ServiceDep = Annotated[QueryApiService, Depends(get_service)]
PrincipalDep = Annotated[Principal, Depends(principal_from_request)]
ConversationsDep = Annotated[ConversationService, Depends(get_conversations)]
SharingDep = Annotated[SharingService, Depends(get_sharing)]
