"""The app's typed state (built in the lifespan) and the ``Annotated`` dependencies of routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from atlas_common.entitlements import EntitlementsClient
from atlas_common.internal import principal_from_request
from atlas_common.principal import Principal
from atlas_common.service import app_state
from atlas_keys.errors import ForbiddenRole
from atlas_keys.last_used import LastUsedRecorder
from atlas_keys.service import KeysService
from atlas_keys.settings import KeysSettings


@dataclass
class KeysState:
    settings: KeysSettings
    service: KeysService
    recorder: LastUsedRecorder
    #: The plan gate's client (``atlas_common.entitlements`` finds it here).
    entitlements: EntitlementsClient


def get_state(request: Request) -> KeysState:
    return app_state(request, KeysState)


def get_service(request: Request) -> KeysService:
    return get_state(request).service


def get_admin(request: Request) -> Principal:
    """The caller the gateway verified (trusted with the internal token), who must be an
    admin. The gateway checks the role too; this is defence in depth."""
    caller = principal_from_request(request)
    if not caller.has_role("admin"):
        raise ForbiddenRole(f"Managing API keys needs the admin role; you are {caller.role}")
    return caller


ServiceDep = Annotated[KeysService, Depends(get_service)]
AdminDep = Annotated[Principal, Depends(get_admin)]
