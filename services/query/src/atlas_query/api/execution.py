"""Running SQL and metrics for clients (``executeSQL`` / ``runMetric`` of the MCP server):
the same guard and executor the worker uses, in the query-api (ADR 0009).

Every statement is checked by :class:`~atlas_query.guard.SqlGuard` with the caller's
principal (role, RLS claims), and what runs is the guard's rewritten SQL, under the
executor's read-only session, statement timeout and row limit. A refusal is a 400
``invalid_request`` whose ``errors`` say which layer refused and why.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from atlas_common.errors import ForbiddenRole, InvalidRequest, NotFound
from atlas_common.principal import Principal
from atlas_common.wire.semantic import ExecuteSqlResponse, RunMetricRequest, RunMetricResponse
from atlas_query.api.metric_sql import compose
from atlas_query.api.service import WIRE_LAYERS
from atlas_query.executors import Executor
from atlas_query.executors.base import QueryResult
from atlas_query.guard import SqlGuard
from atlas_query.semantic import Metric, SemanticLayer


class SqlRunner:
    def __init__(self, layer: SemanticLayer, guard: SqlGuard, executor: Executor) -> None:
        self.layer = layer
        self.guard = guard
        self.executor = executor

    async def execute(self, sql: str, principal: Principal) -> ExecuteSqlResponse:
        # The gateway checks roles; this is defense in depth for a call that skipped it.
        if not principal.has_role("analyst"):
            raise ForbiddenRole("execute-sql needs the analyst or admin role")
        started = time.perf_counter()
        result = await self._run(sql, principal)
        return ExecuteSqlResponse(
            columns=[c.name for c in result.columns],
            rows=result.rows,
            row_count=len(result.rows),
            truncated=result.truncated,
            execution_ms=round((time.perf_counter() - started) * 1000, 3),
            executed_at=_now(),
        )

    async def run_metric(
        self, metric_id: str, body: RunMetricRequest, principal: Principal
    ) -> RunMetricResponse:
        metric = self._metric(metric_id)
        entity = self.layer.entity(metric.source.entity) if metric.source else None
        sql = compose(metric.sql, self.guard.dialect, entity, body.dimensions, body.filters)
        result = await self._run(sql, principal)
        columns = [c.name for c in result.columns]
        single = len(columns) == 1 and len(result.rows) == 1
        return RunMetricResponse(
            id=metric.id,
            label=metric.label or None,
            value=result.rows[0][columns[0]] if single else None,
            columns=columns,
            rows=result.rows,
            row_count=len(result.rows),
            truncated=result.truncated,
            sql=sql,
            executed_at=_now(),
        )

    def _metric(self, metric_id: str) -> Metric:
        metric = next((m for m in self.layer.metrics if m.id == metric_id), None)
        if metric is None:
            raise NotFound(f"No metric {metric_id!r} in the semantic layer")
        return metric

    async def _run(self, sql: str, principal: Principal) -> QueryResult:
        checked = self.guard.check(sql, principal)
        if not checked.valid or checked.rewritten_sql is None:
            errors = [{"layer": WIRE_LAYERS[e.layer], "message": e.message} for e in checked.errors]
            first = errors[0] if errors else {"layer": "ast_parse", "message": "refused"}
            raise InvalidRequest(
                f"The SQL guard refused the query ({first['layer']}): {first['message']}",
                errors=errors,
            )
        return await self.executor.execute(checked.rewritten_sql)


def _now() -> str:
    return datetime.now(UTC).isoformat()
