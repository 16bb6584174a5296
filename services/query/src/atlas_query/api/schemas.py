"""Request and response bodies of the query-api, camelCase on the wire as Atlas clients
expect. The public bodies live in ``atlas_common.wire`` so the gateway documents the same
schemas in its OpenAPI document; the health body is internal and stays here."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from atlas_common.wire.data import (
    ColumnOut,
    TableOut,
    TablesResponse,
    ValidateSqlRequest,
    ValidateSqlResponse,
    ValidationIssue,
)

__all__ = [
    "ColumnOut",
    "DatasourceHealth",
    "HealthResponse",
    "SemanticLayerHealth",
    "TableOut",
    "TablesResponse",
    "ValidateSqlRequest",
    "ValidateSqlResponse",
    "ValidationIssue",
]


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class DatasourceHealth(CamelModel):
    status: Literal["ok", "error"]
    dialect: str
    message: str | None = None


class SemanticLayerHealth(CamelModel):
    status: Literal["ok", "empty"]
    entity_count: int


class HealthResponse(CamelModel):
    datasource: DatasourceHealth
    semantic_layer: SemanticLayerHealth
