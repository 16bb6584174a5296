"""Who answers: the offline planner, the LLM agent, or the planner first (``ATLAS_PLANNER``).

``auto`` (the default) lets the planner answer when it is confident, a clarifying question on
an ambiguous term included, and hands the question to the agent when it is not, before anything
was emitted. ``semantic`` is the planner alone; ``llm`` the agent alone. Without a provider the
planner answers alone, and its "can't answer" says that a language model would help.
pydantic-ai (seconds to import) is loaded only when a provider is configured.
"""

from __future__ import annotations

from typing import Literal, Protocol

from atlas_common.entitlements import EntitlementsClient, denial_text
from atlas_common.metrics import denied
from atlas_common.stream_events import SuggestionsEvent
from atlas_common.tracing import step
from atlas_query.agent.settings import AgentSettings
from atlas_query.agent.usage import Publish
from atlas_query.answer.context import AnswerContext, Answerer
from atlas_query.planner import CannotAnswer, SemanticAnswerer
from atlas_query.planner.answerer import cannot_text
from atlas_query.semantic import SemanticLayer

Mode = Literal["semantic", "llm", "auto"]

PLANNING = "Matching the question to the semantic layer"  # the planner's own status
MODEL_HINT = (
    " A language model could try questions like this one: set ATLAS_PROVIDER and ATLAS_MODEL."
)


class PlannerLike(Protocol):
    async def try_answer(self, ctx: AnswerContext) -> bool:
        """Answer when confident and return True; return False having emitted nothing."""

    async def answer(self, ctx: AnswerContext) -> None:
        """Answer anything, an honest "can't answer" included."""


class SemanticPlannerAdapter:
    """The offline planner's confidence: its decision, taken before anything is emitted."""

    def __init__(self, answerer: SemanticAnswerer, *, model_hint: bool = False) -> None:
        self.answerer = answerer
        self.model_hint = model_hint

    async def try_answer(self, ctx: AnswerContext) -> bool:
        with step("planning"):
            decision = self.answerer.planner.decide(ctx.job.question, ctx.job.history)
        if isinstance(decision, CannotAnswer):
            return False
        await ctx.status(PLANNING, stage="planning")
        await self.answerer.respond(ctx, decision)
        return True

    async def answer(self, ctx: AnswerContext) -> None:
        with step("planning"):
            decision = self.answerer.planner.decide(ctx.job.question, ctx.job.history)
        await ctx.status(PLANNING, stage="planning")
        if not (self.model_hint and isinstance(decision, CannotAnswer)):
            await self.answerer.respond(ctx, decision)
            return
        await ctx.say(cannot_text(decision) + MODEL_HINT)
        await ctx.emit(SuggestionsEvent(suggestions=decision.suggestions))


class RoutingAnswerer:
    def __init__(
        self,
        planner: PlannerLike,
        agent: Answerer | None,
        mode: Mode = "auto",
        entitlements: EntitlementsClient | None = None,
    ):
        if mode == "llm" and agent is None:
            raise ValueError("ATLAS_PLANNER=llm needs a language model: set ATLAS_PROVIDER")
        self.planner = planner
        self.agent = agent
        self.mode: Mode = mode if agent is not None else "semantic"
        self.entitlements = entitlements

    async def answer(self, ctx: AnswerContext) -> None:
        if self.agent is None or self.mode == "semantic":
            await self.planner.answer(ctx)
        elif (
            self.mode == "llm" or not await self.planner.try_answer(ctx)
        ) and await self._tokens_left(ctx):
            await self.agent.answer(ctx)

    async def _tokens_left(self, ctx: AnswerContext) -> bool:
        """The plan's ``llm-tokens`` before the model runs; when spent, the planner answers
        and says why the model was not used."""
        if self.entitlements is None:
            return True
        decision = await self.entitlements.check(ctx.job.principal.workspace_id, "llm-tokens")
        if decision.allowed:
            return True
        denied(decision.feature)
        await ctx.say(f"The language model was not used: {denial_text(decision)}. ")
        await self.planner.answer(ctx)
        return False


def build_answerer(
    settings: AgentSettings,
    layer: SemanticLayer,
    *,
    dialect: str,
    mode: Mode,
    timezone: str = "UTC",
    row_limit: int = 1000,
    publish: Publish | None = None,
    entitlements: EntitlementsClient | None = None,
) -> RoutingAnswerer:
    """The worker's answerer from its settings (raises ValueError on a contradiction)."""
    agent: Answerer | None = None
    if settings.provider is not None:
        from atlas_query.agent.answerer import build_agent  # loads pydantic-ai

        agent = build_agent(
            settings,
            layer,
            dialect=dialect,
            timezone=timezone,
            row_limit=row_limit,
            publish=publish,
        )
    planner = SemanticPlannerAdapter(
        SemanticAnswerer(layer, dialect, timezone), model_hint=agent is None
    )
    return RoutingAnswerer(planner, agent, mode, entitlements)
