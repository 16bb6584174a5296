"""What the query-api does, free of HTTP: list the layer's tables, run the guard, report
health."""

from __future__ import annotations

from atlas_common.errors import AtlasError
from atlas_common.principal import Principal
from atlas_query.api.schemas import (
    ColumnOut,
    DatasourceHealth,
    HealthResponse,
    SemanticLayerHealth,
    TableOut,
    TablesResponse,
    ValidateSqlResponse,
)
from atlas_query.errors import DatasourceUnavailable
from atlas_query.executors import Executor
from atlas_query.guard import SqlGuard
from atlas_query.semantic import Entity, SemanticLayer


class QueryApiService:
    def __init__(self, layer: SemanticLayer, guard: SqlGuard, executor: Executor) -> None:
        self.layer = layer
        self.guard = guard
        self.executor = executor

    def tables(self) -> TablesResponse:
        return TablesResponse(tables=[_table(entity) for entity in self.layer.entities])

    def validate_sql(self, sql: str, principal: Principal) -> ValidateSqlResponse:
        # The gateway checks roles; this is defense in depth for a call that skipped it.
        if not principal.has_role("analyst"):
            raise AtlasError(
                "validate-sql needs the analyst or admin role",
                code="forbidden_role",
                status_code=403,
            )
        result = self.guard.check(sql, principal)
        return ValidateSqlResponse(
            valid=result.valid,
            errors=result.errors,
            tables=result.tables,
            rewritten_sql=result.rewritten_sql,
        )

    async def health(self) -> HealthResponse:
        datasource = DatasourceHealth(status="ok", dialect=self.executor.dialect)
        try:
            await self.executor.ping()
        except DatasourceUnavailable as exc:
            datasource = DatasourceHealth(
                status="error", dialect=self.executor.dialect, message=exc.message
            )
        count = self.layer.entity_count
        layer = SemanticLayerHealth(status="ok" if count else "empty", entity_count=count)
        return HealthResponse(datasource=datasource, semantic_layer=layer)


def _table(entity: Entity) -> TableOut:
    # Virtual dimensions are expressions, not columns of the table.
    columns = [
        ColumnOut(name=d.name, type=d.type or "unknown", description=d.description)
        for d in entity.dimensions
        if not d.virtual
    ]
    return TableOut(table=entity.table, description=entity.description, columns=columns)
