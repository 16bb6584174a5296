"""The app's typed state (built in the lifespan) and the ``Annotated`` dependencies of routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from atlas_audit.consumer import AuditConsumer
from atlas_audit.service import AuditService, require_admin
from atlas_audit.settings import AuditSettings
from atlas_common.internal import principal_from_request
from atlas_common.principal import Principal
from atlas_common.service import app_state


@dataclass
class AuditState:
    settings: AuditSettings
    service: AuditService
    consumer: AuditConsumer


def get_service(request: Request) -> AuditService:
    return app_state(request, AuditState).service


def get_admin(request: Request) -> Principal:
    """The caller the gateway verified, who must be an admin (the gateway checks too)."""
    caller = principal_from_request(request)
    require_admin(caller)
    return caller


ServiceDep = Annotated[AuditService, Depends(get_service)]
AdminDep = Annotated[Principal, Depends(get_admin)]
