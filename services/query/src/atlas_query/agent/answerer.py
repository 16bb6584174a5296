"""The LLM agent as an answerer: a pydantic-ai run streamed onto the answer's events.

Text deltas go out as ``text-delta`` events as the provider sends them (one text part per part
of the model's reply); tools emit their own ``tool-call`` / ``tool-result`` events. The run is
bounded by ``max_steps`` model requests; each completed request publishes its tokens. A stop or
the deadline cancels the task that runs ``answer``: the cancellation reaches the provider's HTTP
stream, which is closed. Provider failures become the ``provider_*`` Atlas errors.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from pydantic_ai import Agent, RunContext, ToolOutput
from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior, UsageLimitExceeded
from pydantic_ai.messages import (
    AgentStreamEvent,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
)
from pydantic_ai.models import Model, ModelRequestContext
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import UsageLimits

from atlas_common.stream_events import ClarificationEvent, TextDeltaEvent
from atlas_common.tracing import step
from atlas_query.agent.errors import to_atlas_error
from atlas_query.agent.prompt import history_messages, instructions, today
from atlas_query.agent.providers import build_model, model_settings
from atlas_query.agent.retries import ProviderRetries, RetryPolicy
from atlas_query.agent.settings import AgentSettings
from atlas_query.agent.tools import TOOLS, AgentDeps
from atlas_query.agent.usage import Publish, UsageRecorder
from atlas_query.answer.context import AnswerContext
from atlas_query.semantic import SemanticLayer

log = logging.getLogger(__name__)

STEP_LIMIT_TEXT = (
    "I could not finish this answer within the allowed number of steps. "
    "Try a narrower question, or name the table or metric you mean."
)


class Clarification(BaseModel):
    """Ask the user what an ambiguous term means instead of guessing."""

    term: str = Field(description="The ambiguous word or phrase, as the user wrote it.")
    options: list[str] = Field(
        min_length=2, description="The possible meanings, from the glossary's possible mappings."
    )
    question: str = Field(description="A short question to the user that names the options.")


@dataclass
class AgentAnswerer:
    model: Model
    layer: SemanticLayer
    dialect: str = "duckdb"
    timezone: str = "UTC"
    row_limit: int = 1000
    max_steps: int = 10
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    model_settings: ModelSettings | None = None
    publish: Publish | None = None
    model_label: str = ""
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        self.agent: Agent[AgentDeps, str | Clarification] = Agent(
            self.model,
            output_type=[
                str,
                ToolOutput(
                    Clarification,
                    name="askClarification",
                    description="Ask the user which meaning of an ambiguous term they mean.",
                ),
            ],
            deps_type=AgentDeps,
            tools=TOOLS,
            instructions=instructions(self.layer, self.dialect, self.row_limit),
            retries={"tools": self.max_steps, "output": 1},
            model_settings=self.model_settings,
            capabilities=[ProviderRetries(self.retry), RecordUsage()],
            name="atlas",
        )

    async def answer(self, ctx: AnswerContext) -> None:
        usage = UsageRecorder(ctx.job, self.model_label or self.model.model_name, self.publish)
        text = TextStream(ctx)
        await ctx.status("Working on it with the language model", stage="agent")
        output = await self._run(ctx, AgentDeps(ctx, self.layer, usage), text)
        if isinstance(output, Clarification):
            await ctx.emit(
                ClarificationEvent(
                    term=output.term, options=output.options, question=output.question
                )
            )
            if output.question not in text.full:
                await ctx.say(output.question)
        elif output and not text.full.strip():
            await ctx.say(output)  # a provider that answered without streaming text deltas
        await ctx.emit(usage.event())

    async def _run(self, ctx: AnswerContext, deps: AgentDeps, text: TextStream) -> Any:
        now = self.now().astimezone(ZoneInfo(self.timezone))
        try:
            with step("llm", {"gen_ai.operation.name": "chat",
                              "gen_ai.request.model": self.model_label or self.model.model_name}):
                result = await self.agent.run(
                    ctx.job.question,
                    message_history=history_messages(ctx.job.history),
                    deps=deps,
                    instructions=today(now, self.timezone),
                    event_stream_handler=text.handle,
                    usage_limits=UsageLimits(request_limit=self.max_steps),
                )
        except UsageLimitExceeded:
            await ctx.say(STEP_LIMIT_TEXT)
            return None
        except (ModelAPIError, UnexpectedModelBehavior) as exc:
            log.warning(
                "model request failed: %s",
                type(exc).__name__,
                extra={
                    "request_id": ctx.job.request_id,
                    "status": getattr(exc, "status_code", None),
                },
            )
            raise to_atlas_error(exc) from exc
        return result.output


@dataclass
class RecordUsage(AbstractCapability[AgentDeps]):
    """Publish the tokens of every completed model request (streamed ones included)."""

    async def after_model_request(
        self,
        ctx: RunContext[AgentDeps],
        *,
        request_context: ModelRequestContext,
        response: ModelResponse,
    ) -> ModelResponse:
        await ctx.deps.usage.record(response.usage.input_tokens, response.usage.output_tokens)
        return response


@dataclass
class TextStream:
    """The model's text parts -> ``text-delta`` events, as they arrive."""

    ctx: AnswerContext
    parts: int = 0
    chunks: list[str] = field(default_factory=list)
    _started: set[str] = field(default_factory=set)

    @property
    def full(self) -> str:
        return "".join(self.chunks)

    async def handle(
        self, run: RunContext[AgentDeps], events: AsyncIterable[AgentStreamEvent]
    ) -> None:
        part_ids: dict[int, str] = {}
        async for event in events:
            if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
                self.parts += 1
                part_ids[event.index] = f"agent-{self.ctx.attempt}-{self.parts}"
                await self._delta(part_ids[event.index], event.part.content)
            elif (
                isinstance(event, PartDeltaEvent)
                and isinstance(event.delta, TextPartDelta)
                and event.index in part_ids
            ):
                await self._delta(part_ids[event.index], event.delta.content_delta)

    async def _delta(self, part_id: str, delta: str) -> None:
        if not delta:
            return
        if part_id not in self._started:
            self._started.add(part_id)
            if self.chunks:  # a later part starts a paragraph: the gathered JSON answer reads well
                delta = "\n\n" + delta.lstrip()
        self.chunks.append(delta)
        await self.ctx.emit(TextDeltaEvent(part_id=part_id, delta=delta))


def build_agent(
    settings: AgentSettings,
    layer: SemanticLayer,
    *,
    dialect: str,
    timezone: str = "UTC",
    row_limit: int = 1000,
    publish: Publish | None = None,
) -> AgentAnswerer | None:
    """The agent the settings describe; None without a provider."""
    model = build_model(settings)
    if model is None:
        return None
    return AgentAnswerer(
        model,
        layer,
        dialect=dialect,
        timezone=timezone,
        row_limit=row_limit,
        max_steps=settings.agent_max_steps,
        retry=RetryPolicy(settings.provider_retries, max_wait_s=settings.provider_retry_max_wait_s),
        model_settings=model_settings(settings),
        publish=publish,
        model_label=settings.model_label,
    )
