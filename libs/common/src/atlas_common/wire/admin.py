"""The admin API (``/api/v1/admin/*``, issue 25): the bodies query-api and the gateway answer
and the gateway documents. Upstream ``@useatlas/types`` names and fields first (SemanticStats,
ConnectionInfo, ConnectionHealth, AdminOverview), then ours."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from atlas_common.wire import WireModel
from atlas_common.wire.audit import DayCount, QuestionCount

HealthStatus = Literal["healthy", "degraded", "unhealthy"]
FeatureKind = Literal["boolean", "metered"]


class CoverageGaps(WireModel):
    no_description: int = Field(description="Entities without a description.")
    no_columns: int = Field(description="Entities without a (non-virtual) column.")
    no_joins: int = Field(description="Entities joined to nothing.")


class SemanticStats(WireModel):
    total_entities: int
    total_columns: int
    total_joins: int
    total_measures: int
    coverage_gaps: CoverageGaps


class ConnectionHealth(WireModel):
    status: HealthStatus
    latency_ms: float
    message: str | None = Field(None, description="Why it is not healthy; never a credential.")
    checked_at: str = Field(description="ISO 8601 UTC.")


class ConnectionTestResult(ConnectionHealth):
    read_only: bool | None = Field(
        description="Whether the database itself would refuse a write from Atlas's sessions "
        "(checked, not assumed); null when the datasource did not answer.")


class ConnectionInfo(WireModel):
    id: str = Field(description='`default`: the datasource of `ATLAS_DATASOURCE_URL`.')
    db_type: str = Field(description="postgres, mysql, duckdb or sqlite.")
    description: str | None = None
    host: str | None = Field(None, description="host[:port] or the file name; no credential.")
    health: ConnectionHealth | None = None


class ConnectionsResponse(WireModel):
    connections: list[ConnectionInfo]


class PluginsResponse(WireModel):
    plugins: list[dict[str, object]] = Field(
        default_factory=list, description="Always empty: Atlas has no plugins yet.")


class PlanFeature(WireModel):
    key: str
    kind: FeatureKind
    enabled: bool
    limit: int | None = None
    used: int | None = None
    resets_at: str | None = None


class LimitCount(WireModel):
    """A computed limit's count for a workspace (``api-keys``: its active keys), as the service
    that owns it serves it internally (``GET /internal/v1/limits/{feature}``) for the plan."""

    feature: str
    used: int


class PlanResponse(WireModel):
    workspace_id: str | None = None
    plan: str | None
    features: list[PlanFeature]
    unlimited: bool = Field(False, description="No plans file: every feature, no limit.")


class OverviewQuestions(WireModel):
    total: int
    error_rate: float
    p95_duration_ms: float | None
    active_users: int
    per_day: list[DayCount]
    top_questions: list[QuestionCount]


class AdminOverview(WireModel):
    connections: int | None
    entities: int | None
    metrics: int | None
    glossary_terms: int | None
    plugins: int = 0
    plugin_health: list[dict[str, object]] = Field(default_factory=list)
    questions: OverviewQuestions | None
    plan: PlanResponse | None
    partial: bool = Field(False, description="A part could not be read: it is null.")
