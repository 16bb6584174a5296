"""The app's typed state (built in the lifespan) and the ``Annotated`` dependencies of routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from atlas_common.entitlements import EntitlementsClient
from atlas_common.internal import principal_from_request
from atlas_common.principal import Principal
from atlas_common.service import app_state
from atlas_scheduler.loop import Scheduler
from atlas_scheduler.service import TaskService
from atlas_scheduler.settings import SchedulerSettings


@dataclass
class SchedulerState:
    settings: SchedulerSettings
    service: TaskService
    scheduler: Scheduler
    #: The plan gate's client (``atlas_common.entitlements`` finds it here).
    entitlements: EntitlementsClient


def get_service(request: Request) -> TaskService:
    return app_state(request, SchedulerState).service


def get_caller(request: Request) -> Principal:
    """The caller the gateway verified (trusted with the internal token)."""
    return principal_from_request(request)


ServiceDep = Annotated[TaskService, Depends(get_service)]
CallerDep = Annotated[Principal, Depends(get_caller)]
