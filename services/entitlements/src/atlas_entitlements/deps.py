"""The app's typed state (built in the lifespan) and the ``Annotated`` dependencies of routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from atlas_common.service import app_state
from atlas_entitlements.handlers import UsageHandler
from atlas_entitlements.plans import Catalog
from atlas_entitlements.schemas import CustomerId
from atlas_entitlements.service import EntitlementsService
from atlas_entitlements.settings import EntitlementsServiceSettings
from atlas_entitlements.subscriptions import OperatorService


@dataclass
class EntitlementsState:
    settings: EntitlementsServiceSettings
    catalog: Catalog
    service: EntitlementsService
    operator: OperatorService
    usage: UsageHandler


def get_state(request: Request) -> EntitlementsState:
    return app_state(request, EntitlementsState)


def get_service(request: Request) -> EntitlementsService:
    return get_state(request).service


def get_operator(request: Request) -> OperatorService:
    return get_state(request).operator


ServiceDep = Annotated[EntitlementsService, Depends(get_service)]
OperatorDep = Annotated[OperatorService, Depends(get_operator)]
CustomerPath = Annotated[CustomerId, Path(description="The customer: a workspace id.")]
