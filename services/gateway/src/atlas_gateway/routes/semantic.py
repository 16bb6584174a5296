"""The semantic layer, read-only, relayed to query-api: entities, one entity, metrics,
glossary, catalog, and the raw YAML files. Upstream Atlas's paths ``/api/v1/admin/semantic/*``
are the workspace admins' (with ``stats``); the same reads under ``/api/v1/semantic/*`` are any
principal's (the MCP server's tools use those). ``files`` (the list of files) is ours, for the
MCP ``explore`` tool."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response

from atlas_common.wire.admin import SemanticStats
from atlas_common.wire.errors import error_responses
from atlas_common.wire.semantic import (
    CatalogResponse,
    EntitiesResponse,
    EntityResponse,
    GlossaryResponse,
    MetricsResponse,
    SemanticFilesResponse,
)
from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.proxy import relay_to_query_api

router = APIRouter(tags=["Semantic layer"])
ADMIN = "/api/v1/admin/semantic"
PUBLIC = "/api/v1/semantic"
YAML: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file as written", "content": {"text/yaml": {}}}
}


async def _relay(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay_to_query_api(request, state, principal)


def _get(path: str, summary: str, model: type | None = None) -> None:
    """One relayed GET: documented with its response model, answered by query-api."""
    responses = {**error_responses(401, 404), **(YAML if model is None else {})}
    # The relay reads no parameter, so the path's are declared for the document here.
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", path)
    ]
    router.add_api_route(
        path, _relay, methods=["GET"], summary=summary, response_model=model, responses=responses,
        openapi_extra={"parameters": parameters} if parameters else None,
    )


for _base in (ADMIN, PUBLIC):
    _get(_base + "/entities", "Entities of the semantic layer", EntitiesResponse)
    _get(_base + "/entities/{name}", "One entity: dimensions, measures, joins", EntityResponse)
    _get(_base + "/metrics", "Metrics of the semantic layer", MetricsResponse)
    _get(_base + "/glossary", "The business glossary", GlossaryResponse)
    _get(_base + "/catalog", "The catalog", CatalogResponse)
    _get(_base + "/files", "The layer's YAML files", SemanticFilesResponse)
    _get(_base + "/raw/{file}", "A top-level YAML file, as written")
    _get(_base + "/raw/{folder}/{file}", "A YAML file in a folder (entities/, metrics/)")
_get(ADMIN + "/stats", "Counts of the semantic layer and its gaps", SemanticStats)
