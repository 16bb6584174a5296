"""The admin API's routes query-api answers (it owns the datasource): the datasource and its
test. The gateway lets only a workspace's admins through."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from atlas_common.wire.admin import ConnectionsResponse, ConnectionTestResult
from atlas_query.api.connections import ConnectionsService
from atlas_query.api.deps import PrincipalDep, get_state

router = APIRouter()
BASE = "/api/v1/admin/connections"


def _connections(request: Request) -> ConnectionsService:
    state = get_state(request)
    return ConnectionsService(state.service.executor, state.settings.datasource_url,
                              str(state.settings.demo_db_path))


Connections = Annotated[ConnectionsService, Depends(_connections)]


@router.get(BASE, response_model=ConnectionsResponse)
async def connections(service: Connections, _principal: PrincipalDep) -> ConnectionsResponse:
    return service.list()


@router.post(BASE + "/{id}/test", response_model=ConnectionTestResult)
async def test_connection(id: str, service: Connections,
                          _principal: PrincipalDep) -> ConnectionTestResult:
    return await service.test(id)
