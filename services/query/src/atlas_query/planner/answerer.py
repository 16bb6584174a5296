"""The semantic planner as an answerer (``ATLAS_PLANNER=semantic``, the first step of
``auto``): plan, run through the guard, chart hint, narrative; or a clarifying question, or
an honest "can't answer" with suggestions. The last two run no SQL (``sql: []``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from atlas_common.stream_events import (
    ChartKind,
    ClarificationEvent,
    PlanEvent,
    SuggestionsEvent,
)
from atlas_query.answer.context import AnswerContext
from atlas_query.planner import format as fmt
from atlas_query.planner.compile import PERIOD
from atlas_query.planner.narrative import narrate
from atlas_query.planner.plan import CannotAnswer, Clarify, Plan
from atlas_query.planner.planner import Decision, Planned, SemanticPlanner
from atlas_query.semantic import SemanticLayer

_CHARTS: dict[str, ChartKind] = {"number": "number", "series": "line", "breakdown": "bar",
                                 "top": "bar", "comparison": "bar", "list": "table"}


class SemanticAnswerer:
    def __init__(self, layer: SemanticLayer, dialect: str, timezone: str = "UTC",
                 now: Callable[[], datetime] | None = None) -> None:
        self.planner = SemanticPlanner(layer, dialect, timezone, now)

    async def answer(self, ctx: AnswerContext) -> None:
        await ctx.status("Matching the question to the semantic layer", stage="planning")
        await self.respond(ctx, self.planner.decide(ctx.job.question, ctx.job.history))

    async def respond(self, ctx: AnswerContext, decision: Decision) -> None:
        """Stream a decision already taken (``ATLAS_PLANNER=auto`` can call
        ``self.planner.decide`` first and hand a ``CannotAnswer`` to the LLM instead)."""
        if isinstance(decision, Clarify):
            await ctx.emit(ClarificationEvent(term=decision.term, options=decision.options,
                                              question=decision.question))
            await ctx.say(decision.question)
        elif isinstance(decision, CannotAnswer):
            await ctx.say(cannot_text(decision))
            await ctx.emit(SuggestionsEvent(suggestions=decision.suggestions))
        else:
            await self._run(ctx, decision)

    async def _run(self, ctx: AnswerContext, planned: Planned) -> None:
        plan = planned.plan
        ctx.hold(PlanEvent(summary=summary(plan, planned.now), details=plan.details()))
        await ctx.status("Running the query", stage="executing", hold=True)  # with the SQL
        result = await ctx.execute_sql(planned.sql)
        kind, x, y = chart_hint(plan, result)
        await ctx.chart(kind, x, y)
        await ctx.say(narrate(plan, result, planned.now))


def cannot_text(decision: CannotAnswer) -> str:
    text = f"I can't answer that with confidence. {decision.reason}"
    if decision.closest:
        text += f" The closest things I know are {fmt.join(decision.closest)}."
    if decision.suggestions:
        text += " You could ask: " + " ".join(f'"{q}"' for q in decision.suggestions)
    return text


def summary(plan: Plan, now: datetime) -> str:
    parts = [plan.value.label if plan.value is not None else f"List {plan.subject}"]
    parts += [f"by {g.label}" for g in plan.groups if plan.verbatim_sql is None]
    parts += [f"{fmt.phrase(r.name)} ({r.label(now)})" for r in plan.ranges]
    parts += plan.notes
    if plan.limit is not None and plan.shape in ("top", "list"):
        parts.append(f"{'top' if plan.descending else 'bottom'} {plan.limit}")
    return ", ".join(parts)


def chart_hint(plan: Plan, result: dict[str, Any]) -> tuple[ChartKind, str | None, list[str]]:
    columns: list[str] = list(result.get("columns") or [])
    value = plan.value.alias if plan.value is not None and plan.value.alias in columns else (
        columns[-1] if columns else None)
    kind = _CHARTS[plan.shape]
    if kind == "table" or value is None:
        return "table", None, []
    if kind == "number":
        return "number", None, [value]
    others = [c for c in columns if c != value]
    x = PERIOD if plan.shape == "comparison" else (others[0] if others else None)
    return kind, x, [value]
