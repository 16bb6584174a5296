"""``executeSQL`` and ``runMetric``: SQL that runs on the datasource, through the gateway.

The gateway runs the same guard as asking (analyst role or above, RLS claims of the key, the
row limit and statement timeout) and consumes a ``queries`` unit of the plan, so these tools
cost what a question costs.
"""

from __future__ import annotations

from typing import Any

from atlas_mcp.errors import ToolFailure
from atlas_mcp.gateway import segment
from atlas_mcp.tools.base import Call, ToolSpec
from atlas_mcp.tools.schemas import ExecuteSqlInput, MetricOutput, RunMetricInput, SqlOutput

EXECUTE_DESCRIPTION = (
    "Run one read-only SELECT on the datasource through Atlas's SQL guard (analyst or admin "
    "role). Only tables of the semantic layer are allowed; row-level security of your key "
    "applies; results are capped at the row limit (`truncated`). Look the tables and columns "
    "up first with listEntities / describeEntity or explore. Errors: sql_refused (with "
    "`errors: [{layer, message}]` saying which guard layer refused and why), forbidden_role, "
    "plan_limit_exceeded, rate_limited, timeout, gateway_unreachable."
)
METRIC_DESCRIPTION = (
    "Run a canonical metric of the semantic layer by id (see the `atlas://semantic/metrics/*` "
    "resources or explore 'ls metrics'), optionally grouped by `dimensions` and narrowed by "
    "`filters` (columns of the metric's entity). Returns the value (one row, one column) or "
    "the rows, and the SQL that ran. Errors: unknown_metric, invalid_arguments (a dimension "
    "or filter that is not a column), sql_refused, forbidden_role, plan_limit_exceeded."
)


async def execute_sql(call: Call, args: ExecuteSqlInput) -> SqlOutput:
    body = await _refusal_aware(
        call.gateway.post(call.key, "/api/v1/execute-sql", {"sql": args.sql})
    )
    return SqlOutput.model_validate(body)


async def run_metric(call: Call, args: RunMetricInput) -> MetricOutput:
    request: dict[str, Any] = {}
    if args.dimensions:
        request["dimensions"] = args.dimensions
    if args.filters:
        request["filters"] = args.filters
    path = f"/api/v1/metrics/{segment(args.id)}/run"
    try:
        body = await _refusal_aware(call.gateway.post(call.key, path, request))
    except ToolFailure as failure:
        if failure.code == "not_found":
            raise ToolFailure(
                "unknown_metric",
                f'Metric "{args.id}" is not in the semantic layer',
                hint="Read atlas://semantic/catalog or explore 'ls metrics' for the ids.",
            ) from None
        raise
    return MetricOutput.model_validate(body)


async def _refusal_aware(pending: Any) -> dict[str, Any]:
    """A guard refusal (400 with ``errors``) becomes ``sql_refused`` naming the layer."""
    try:
        body: dict[str, Any] = await pending
    except ToolFailure as failure:
        errors = failure.details.get("errors")
        if failure.code == "invalid_request" and isinstance(errors, list) and errors:
            first = errors[0] if isinstance(errors[0], dict) else {}
            message = (
                f"Refused by the {first.get('layer', 'guard')} check: {first.get('message', '')}"
            )
            raise ToolFailure("sql_refused", message, errors=errors) from None
        raise
    return body


EXECUTE_SQL = ToolSpec(
    "executeSQL",
    "Execute SQL (read-only)",
    EXECUTE_DESCRIPTION,
    ExecuteSqlInput,
    SqlOutput,
    execute_sql,
)
RUN_METRIC = ToolSpec(
    "runMetric",
    "Run a canonical metric",
    METRIC_DESCRIPTION,
    RunMetricInput,
    MetricOutput,
    run_metric,
)
