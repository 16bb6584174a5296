"""Request and response bodies of the query-api, camelCase on the wire as Atlas clients
expect (``rewrittenSql``, ``entityCount``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from atlas_query.guard import GuardError


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ValidateSqlRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sql: str = Field(max_length=1_000_000)


class ValidateSqlResponse(CamelModel):
    valid: bool
    errors: list[GuardError]
    tables: list[str]
    rewritten_sql: str | None


class ColumnOut(CamelModel):
    name: str
    type: str
    description: str


class TableOut(CamelModel):
    table: str
    description: str
    columns: list[ColumnOut]


class TablesResponse(CamelModel):
    tables: list[TableOut]


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
