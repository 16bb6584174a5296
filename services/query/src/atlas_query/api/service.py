"""What the query-api does, free of HTTP: list the layer's tables, run the guard, offer starter
prompts, report health."""

from __future__ import annotations

import hashlib

from atlas_common.errors import ForbiddenRole, NotFound
from atlas_common.principal import Principal
from atlas_common.wire.conversations import DEFAULT_CONNECTION_ID
from atlas_common.wire.data import ValidationLayer
from atlas_common.wire.starter_prompts import StarterPrompt, StarterPromptsResponse, clamp_limit
from atlas_query.api.schemas import (
    ColumnOut,
    DatasourceHealth,
    HealthResponse,
    SemanticLayerHealth,
    TableOut,
    TablesResponse,
    ValidateSqlResponse,
    ValidationIssue,
)
from atlas_query.errors import DatasourceUnavailable
from atlas_query.executors import Executor
from atlas_query.guard import SqlGuard
from atlas_query.guard.errors import GuardError, Layer
from atlas_query.semantic import Entity, SemanticLayer

#: Our guard layers as upstream names them where one corresponds (upstream rejects writes with
#: its regex guard and multiple statements while parsing); the rest keep our names.
WIRE_LAYERS: dict[Layer, ValidationLayer] = {
    "empty": "empty_check",
    "statements": "ast_parse",
    "parse": "ast_parse",
    "readonly": "regex_guard",
    "whitelist": "table_whitelist",
    "functions": "functions",
    "rls": "rls",
    "limit": "limit",
}


class QueryApiService:
    def __init__(
        self,
        layer: SemanticLayer,
        guard: SqlGuard,
        executor: Executor,
        starter_prompts: list[str] | None = None,
    ) -> None:
        self.layer = layer
        self.guard = guard
        self.executor = executor
        self._prompts = _starter_prompts([*(starter_prompts or []), *layer.starter_prompts])

    def tables(self, connection_id: str | None = None) -> TablesResponse:
        entities = self._entities_of(connection_id)
        return TablesResponse(tables=[_table(entity) for entity in entities])

    def validate_sql(
        self, sql: str, principal: Principal, connection_id: str | None = None
    ) -> ValidateSqlResponse:
        # The gateway checks roles; this is defense in depth for a call that skipped it.
        if not principal.has_role("analyst"):
            raise ForbiddenRole("validate-sql needs the analyst or admin role")
        self._entities_of(connection_id)  # an unknown connection is a 404, as upstream
        result = self.guard.check(sql, principal)
        return ValidateSqlResponse(
            valid=result.valid,
            errors=[_issue(e) for e in result.errors],
            tables=result.tables,
            rewritten_sql=result.rewritten_sql,
        )

    def starter_prompts(self, limit: int | None) -> StarterPromptsResponse:
        prompts = self._prompts[: clamp_limit(limit)]
        return StarterPromptsResponse(prompts=prompts, total=len(prompts))

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

    def _entities_of(self, connection_id: str | None) -> list[Entity]:
        """The connection's entities: ``default`` (or none given) is the whole layer; a source
        folder's name is that source. Anything else is unknown: 404, never the global list."""
        if connection_id is None or connection_id == DEFAULT_CONNECTION_ID:
            return self.layer.entities
        source = self.layer.source(connection_id)
        if source is None:
            raise NotFound(f"No connection {connection_id!r}")
        return source.entities


def _starter_prompts(texts: list[str]) -> list[StarterPrompt]:
    """Settings first, then the layer's; a repeated question (any case) appears once. Ids are
    derived from the text so they stay stable when the list is reordered."""
    seen: set[str] = set()
    prompts: list[StarterPrompt] = []
    for text in (t.strip() for t in texts):
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            prompts.append(StarterPrompt(id=f"library:{digest}", text=text, provenance="library"))
    return prompts


def _issue(error: GuardError) -> ValidationIssue:
    return ValidationIssue(layer=WIRE_LAYERS[error.layer], message=error.message)


def _table(entity: Entity) -> TableOut:
    # Virtual dimensions are expressions, not columns of the table.
    columns = [
        ColumnOut(name=d.name, type=d.type or "unknown", description=d.description)
        for d in entity.dimensions
        if not d.virtual
    ]
    return TableOut(table=entity.table, description=entity.description, columns=columns)
