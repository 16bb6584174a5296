"""Who answers by ATLAS_PLANNER: the offline planner, the agent, or the planner first."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from atlas_query.agent.answerer import AgentAnswerer
from atlas_query.agent.router import (
    MODEL_HINT,
    RoutingAnswerer,
    SemanticPlannerAdapter,
    build_answerer,
)
from atlas_query.agent.settings import AgentSettings
from atlas_query.answer.context import AnswerContext
from atlas_query.planner import SemanticAnswerer
from atlas_query.semantic import SemanticLayer
from tests.query.agent.conftest import NOW, Record
from tests.query.agent.scripts import Script


@dataclass
class FakePlanner:
    confident: bool
    calls: list[str] = field(default_factory=list)

    async def try_answer(self, ctx: AnswerContext) -> bool:
        self.calls.append("try")
        return self.confident

    async def answer(self, ctx: AnswerContext) -> None:
        self.calls.append("answer")


@dataclass
class FakeAgent:
    calls: int = 0

    async def answer(self, ctx: AnswerContext) -> None:
        self.calls += 1


@pytest.mark.parametrize(
    ("mode", "confident", "planner_calls", "agent_calls"),
    [
        ("semantic", False, ["answer"], 0),
        ("llm", True, [], 1),
        ("auto", True, ["try"], 0),
        ("auto", False, ["try"], 1),
    ],
)
async def test_modes(
    record: Record, mode: str, confident: bool, planner_calls: list[str], agent_calls: int
) -> None:
    planner, agent = FakePlanner(confident), FakeAgent()
    await RoutingAnswerer(planner, agent, mode).answer(record("q").ctx)  # type: ignore[arg-type]
    assert planner.calls == planner_calls and agent.calls == agent_calls


async def test_without_a_model_the_planner_answers_alone(record: Record) -> None:
    planner = FakePlanner(confident=False)
    router = RoutingAnswerer(planner, None, "auto")
    await router.answer(record("q").ctx)
    assert planner.calls == ["answer"]


def test_llm_mode_without_a_model_refuses_to_start() -> None:
    with pytest.raises(ValueError, match="ATLAS_PROVIDER"):
        RoutingAnswerer(FakePlanner(True), None, "llm")


def planner(layer: SemanticLayer, *, model_hint: bool = False) -> SemanticPlannerAdapter:
    return SemanticPlannerAdapter(
        SemanticAnswerer(layer, "duckdb", "UTC", now=lambda: NOW), model_hint=model_hint
    )


async def test_auto_keeps_confident_questions_offline(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script(["never asked"])
    router = RoutingAnswerer(planner(layer), AgentAnswerer(script.model, layer), "auto")
    r = record("How many users signed up last week?")
    await router.answer(r.ctx)
    assert script.seen == []
    assert [c.name for c in r.of("tool-call")] == ["executeSQL"]


async def test_auto_lets_the_planner_ask_back_on_an_ambiguous_term(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script(["never asked"])
    router = RoutingAnswerer(planner(layer), AgentAnswerer(script.model, layer), "auto")
    r = record("What was revenue last month?")
    await router.answer(r.ctx)
    assert script.seen == []
    assert r.of("clarification")[0].term == "revenue"
    assert r.events[0].type == "status" and r.events[0].stage == "planning"


async def test_auto_hands_what_the_planner_cannot_answer_to_the_agent(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script(["Rayleigh scattering is not in this data."])
    router = RoutingAnswerer(planner(layer), AgentAnswerer(script.model, layer), "auto")
    r = record("Why is the sky blue?")
    await router.answer(r.ctx)
    assert len(script.seen) == 1
    assert r.events[0].type == "status" and r.events[0].stage == "agent"  # nothing before
    assert r.text == "Rayleigh scattering is not in this data."


async def test_without_a_model_cant_answer_says_a_model_would_help(
    layer: SemanticLayer, record: Record
) -> None:
    r = record("Why is the sky blue?")
    await planner(layer, model_hint=True).answer(r.ctx)
    assert r.text.endswith(MODEL_HINT.strip())
    assert "can't answer" in r.text
    assert r.of("suggestions")


def test_build_answerer_follows_the_settings(layer: SemanticLayer) -> None:
    offline = build_answerer(AgentSettings(), layer, dialect="duckdb", mode="auto")
    assert offline.agent is None and offline.mode == "semantic"
    configured = AgentSettings(
        ATLAS_PROVIDER="openai-compatible",
        ATLAS_MODEL="local",
        OPENAI_COMPATIBLE_BASE_URL="http://127.0.0.1:9/v1",
        ATLAS_AGENT_MAX_STEPS=4,
    )
    routed = build_answerer(configured, layer, dialect="duckdb", mode="auto")
    assert routed.agent is not None and routed.mode == "auto"
    assert routed.agent.max_steps == 4
    assert routed.agent.model_label == "openai-compatible:local"
