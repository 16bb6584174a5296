"""HTTP routes of the semantic reads and of running SQL or a metric, at the paths the gateway
exposes (upstream Atlas's). Thin: :mod:`semantic` and :mod:`execution` work."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from atlas_common.wire.admin import SemanticStats
from atlas_common.wire.semantic import (
    CatalogResponse,
    EntitiesResponse,
    EntityResponse,
    ExecuteSqlRequest,
    ExecuteSqlResponse,
    GlossaryResponse,
    MetricsResponse,
    RunMetricRequest,
    RunMetricResponse,
    SemanticFilesResponse,
)
from atlas_query.api.deps import PrincipalDep, get_service
from atlas_query.api.execution import SqlRunner
from atlas_query.api.semantic import SemanticReader

router = APIRouter()
ADMIN = "/api/v1/admin/semantic"
PUBLIC = "/api/v1/semantic"  # the same reads for any principal (the gateway checks roles)


def _reader(request: Request) -> SemanticReader:
    return SemanticReader(get_service(request).layer)


def _runner(request: Request) -> SqlRunner:
    service = get_service(request)
    return SqlRunner(service.layer, service.guard, service.executor)


Reader = Annotated[SemanticReader, Depends(_reader)]
Runner = Annotated[SqlRunner, Depends(_runner)]


@router.get(ADMIN + "/entities", response_model=EntitiesResponse)
@router.get(PUBLIC + "/entities", response_model=EntitiesResponse)
async def entities(reader: Reader, _principal: PrincipalDep) -> EntitiesResponse:
    return reader.entities()


@router.get(ADMIN + "/entities/{name}", response_model=EntityResponse)
@router.get(PUBLIC + "/entities/{name}", response_model=EntityResponse)
async def entity(name: str, reader: Reader, _principal: PrincipalDep) -> EntityResponse:
    return reader.entity(name)


@router.get(ADMIN + "/metrics", response_model=MetricsResponse)
@router.get(PUBLIC + "/metrics", response_model=MetricsResponse)
async def metrics(reader: Reader, _principal: PrincipalDep) -> MetricsResponse:
    return reader.metrics()


@router.get(ADMIN + "/glossary", response_model=GlossaryResponse)
@router.get(PUBLIC + "/glossary", response_model=GlossaryResponse)
async def glossary(reader: Reader, _principal: PrincipalDep) -> GlossaryResponse:
    return reader.glossary()


@router.get(ADMIN + "/catalog", response_model=CatalogResponse)
@router.get(PUBLIC + "/catalog", response_model=CatalogResponse)
async def catalog(reader: Reader, _principal: PrincipalDep) -> CatalogResponse:
    return reader.catalog()


@router.get(ADMIN + "/files", response_model=SemanticFilesResponse)
@router.get(PUBLIC + "/files", response_model=SemanticFilesResponse)
async def files(reader: Reader, _principal: PrincipalDep) -> SemanticFilesResponse:
    return reader.files()


@router.get(ADMIN + "/raw/{file}", response_class=PlainTextResponse)
@router.get(PUBLIC + "/raw/{file}", response_class=PlainTextResponse)
async def raw(file: str, reader: Reader, _principal: PrincipalDep) -> PlainTextResponse:
    return PlainTextResponse(reader.raw(file), media_type="text/yaml")


@router.get(ADMIN + "/raw/{folder}/{file}", response_class=PlainTextResponse)
@router.get(PUBLIC + "/raw/{folder}/{file}", response_class=PlainTextResponse)
async def raw_in_folder(
    folder: str, file: str, reader: Reader, _principal: PrincipalDep
) -> PlainTextResponse:
    return PlainTextResponse(reader.raw(f"{folder}/{file}"), media_type="text/yaml")


@router.get(ADMIN + "/stats", response_model=SemanticStats)
async def stats(reader: Reader, _principal: PrincipalDep) -> SemanticStats:
    return reader.stats()


@router.post("/api/v1/execute-sql", response_model=ExecuteSqlResponse)
async def execute_sql(
    body: ExecuteSqlRequest, runner: Runner, principal: PrincipalDep
) -> ExecuteSqlResponse:
    return await runner.execute(body.sql, principal)


@router.post("/api/v1/metrics/{metric_id}/run", response_model=RunMetricResponse)
async def run_metric(
    metric_id: str, body: RunMetricRequest, runner: Runner, principal: PrincipalDep
) -> RunMetricResponse:
    return await runner.run_metric(metric_id, body, principal)
