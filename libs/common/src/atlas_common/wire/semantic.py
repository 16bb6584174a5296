"""The semantic layer, read-only (``/api/v1/admin/semantic/*`` and ``/api/v1/semantic/*``, the
paths upstream Atlas uses), and running SQL or a metric (``/api/v1/execute-sql``,
``/api/v1/metrics/{id}/run``): the bodies the MCP server and any other client read."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from atlas_common.wire import WireModel

Scalar = str | int | float | bool | None


class EntitySummary(WireModel):
    name: str
    table: str
    description: str
    grain: str
    type: str | None = None
    column_count: int
    dimension_count: int
    measure_count: int
    join_count: int
    source: str = Field(description="The semantic layer source (connection group), `default` "
                        "for the flat layout; upstream's `source`.")
    connection: str | None = Field(description="The entity YAML's `connection:`, if any.")


class EntitiesResponse(WireModel):
    entities: list[EntitySummary]
    warnings: list[str] = Field(default_factory=list)


class EntityResponse(WireModel):
    """The entity as its YAML says it (snake_case keys, as upstream returns the YAML shape)."""

    entity: dict[str, Any]


class MetricsFileEntry(WireModel):
    """One metrics file, as upstream lists them: its source, its stem and its parsed YAML."""

    source: str = Field(description="The semantic layer source, `default` for the flat layout.")
    file: str = Field(description="The file's name without extension (`metrics/<file>.yml`).")
    data: dict[str, Any] = Field(description="The file's YAML, parsed (`{metrics: [...]}`).")


class MetricsResponse(WireModel):
    metrics: list[MetricsFileEntry]


class GlossaryEntry(WireModel):
    term: str
    status: str
    definition: str | None = None
    note: str | None = None
    tables: list[str] = Field(default_factory=list)
    possible_mappings: list[str] = Field(default_factory=list)


class GlossaryResponse(WireModel):
    glossary: list[GlossaryEntry]


class CatalogResponse(WireModel):
    catalog: dict[str, Any] | None


class SemanticFile(WireModel):
    path: str
    size: int


class SemanticFilesResponse(WireModel):
    files: list[SemanticFile]


class ExecuteSqlRequest(WireModel):
    model_config = ConfigDict(extra="ignore")

    sql: str = Field(min_length=1, max_length=100_000)
    connection_id: str | None = Field(None, max_length=256)


class ExecuteSqlResponse(WireModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    row_count: int
    truncated: bool
    execution_ms: float
    executed_at: str


class RunMetricRequest(WireModel):
    model_config = ConfigDict(extra="forbid")

    dimensions: list[str] = Field(default_factory=list, max_length=5)
    filters: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)
    connection_id: str | None = Field(None, max_length=256)


class RunMetricResponse(WireModel):
    id: str
    label: str | None
    value: Any = None
    columns: list[str]
    rows: list[dict[str, Any]]
    row_count: int
    truncated: bool
    sql: str
    executed_at: str
