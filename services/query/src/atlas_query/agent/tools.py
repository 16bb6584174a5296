"""The agent's typed tools: the semantic layer to read, and SQL to run through the guard.

Every call is also a pair of stream events (``tool-call``, ``tool-result``) under the provider's
call id, so a client sees what the agent looked at and ran. SQL (``executeSQL``, and
``runMetric`` which runs a metric's SQL as written) goes through the same guard and executor
as the planner's; a refusal or a database error goes back to the model as a retry prompt so it
can correct itself, and costs one of its steps. The model gets the first rows of a result;
the stream carries all of them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai import ModelRetry, RunContext, Tool

from atlas_common.stream_events import ToolCallEvent, ToolResultEvent
from atlas_query.agent import catalog
from atlas_query.agent.usage import UsageRecorder
from atlas_query.answer.context import AnswerContext
from atlas_query.errors import GuardRefused, QueryFailed, QueryTimeout
from atlas_query.semantic import SemanticLayer

#: Failures the model can fix by writing other SQL; anything else ends the answer.
CORRECTABLE = (GuardRefused, QueryFailed, QueryTimeout)


@dataclass
class AgentDeps:
    ctx: AnswerContext
    layer: SemanticLayer
    usage: UsageRecorder
    rows_for_model: int = 50
    call_ids: set[str] = field(default_factory=set)


Ctx = RunContext[AgentDeps]


async def list_entities(run: Ctx) -> list[dict[str, Any]]:
    """List every entity (table) of the semantic layer with its grain and what it is for."""
    output = catalog.entities(run.deps.layer)
    await _emit_pair(run, "listEntities", {}, {"entities": output})
    return output


async def describe_entity(run: Ctx, name: str) -> dict[str, Any]:
    """Describe one entity: its columns (dimensions), measures, joins and canonical queries.

    Args:
        name: The entity's name or its table, as listEntities gives it.
    """
    entity = run.deps.layer.entity(name)
    if entity is None:
        known = ", ".join(e.name for e in run.deps.layer.entities)
        raise ModelRetry(f"There is no entity {name!r}. The entities are: {known}.")
    output = catalog.describe(run.deps.layer, entity)
    await _emit_pair(run, "describeEntity", {"name": name}, output)
    return output


async def search_glossary(run: Ctx, query: str) -> dict[str, Any]:
    """Search the glossary (business terms, some ambiguous) and the metrics by words.

    Args:
        query: Words of the question, such as "revenue" or "active users".
    """
    output = catalog.search(run.deps.layer, query)
    await _emit_pair(run, "searchGlossary", {"query": query}, output)
    return output


async def run_metric(run: Ctx, metric_id: str) -> dict[str, Any]:
    """Run a metric of the semantic layer exactly as defined (its SQL is authoritative).

    Args:
        metric_id: The metric's id, as searchGlossary gives it.
    """
    metric = next((m for m in run.deps.layer.metrics if m.id == metric_id), None)
    if metric is None:
        known = ", ".join(m.id for m in run.deps.layer.metrics)
        raise ModelRetry(f"There is no metric {metric_id!r}. The metrics are: {known}.")
    return await _run_sql(run, metric.sql)


async def execute_sql(run: Ctx, sql: str) -> dict[str, Any]:
    """Run one read-only SELECT on the tables of the semantic layer and return its rows.

    Args:
        sql: A single SELECT statement in the database's dialect.
    """
    return await _run_sql(run, sql)


TOOLS: list[Tool[AgentDeps]] = [
    Tool(list_entities, name="listEntities", takes_ctx=True),
    Tool(describe_entity, name="describeEntity", takes_ctx=True),
    Tool(search_glossary, name="searchGlossary", takes_ctx=True),
    Tool(run_metric, name="runMetric", takes_ctx=True),
    Tool(execute_sql, name="executeSQL", takes_ctx=True),
]


async def _run_sql(run: Ctx, sql: str) -> dict[str, Any]:
    ctx = run.deps.ctx
    call_id = _call_id(run)
    ctx.steps += 1
    await ctx.emit(ToolCallEvent(tool_call_id=call_id, name="executeSQL", input={"sql": sql}))
    try:
        result = await ctx.run_sql(sql, ctx.job)
    except CORRECTABLE as err:
        failed = {"error": err.message, "columns": [], "rows": [], "truncated": False}
        await ctx.emit(ToolResultEvent(tool_call_id=call_id, name="executeSQL", output=failed))
        raise ModelRetry(f"{err.message}. Correct the SQL and try again.") from err
    await ctx.emit(ToolResultEvent(tool_call_id=call_id, name="executeSQL", output=result))
    return _for_model(result, run.deps.rows_for_model)


def _for_model(result: dict[str, Any], limit: int) -> dict[str, Any]:
    rows = list(result.get("rows") or [])
    shown: dict[str, Any] = {
        "columns": result.get("columns", []),
        "rows": rows[:limit],
        "rowCount": len(rows),
        "truncated": bool(result.get("truncated")),
    }
    if len(rows) > limit:
        shown["note"] = f"Only the first {limit} of {len(rows)} rows are shown here."
    return shown


async def _emit_pair(run: Ctx, name: str, args: dict[str, Any], output: Any) -> None:
    ctx = run.deps.ctx
    call_id = _call_id(run)
    await ctx.emit(ToolCallEvent(tool_call_id=call_id, name=name, input=args))
    body = output if isinstance(output, dict) else {"result": output}
    await ctx.emit(ToolResultEvent(tool_call_id=call_id, name=name, output=body))


def _call_id(run: Ctx) -> str:
    """The provider's id, unless missing or already used in this answer (some servers reuse
    ``call_0``): a client keys tool parts by id, so ids must not repeat within a stream."""
    call_id = run.tool_call_id
    if not call_id or call_id in run.deps.call_ids:
        call_id = f"call-{uuid.uuid4().hex[:12]}"
    run.deps.call_ids.add(call_id)
    return call_id
