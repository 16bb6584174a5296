"""The agent driven by pydantic-ai's function and test models, on the real guard and DuckDB."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai.messages import ModelRequest, ModelResponse, RetryPromptPart, TextPart
from pydantic_ai.models.test import TestModel

from atlas_common.messages import HistoryTurn, UsageRecorded
from atlas_query.agent.answerer import STEP_LIMIT_TEXT, AgentAnswerer
from atlas_query.semantic import SemanticLayer
from tests.query.agent.conftest import NOW, Record, scalar
from tests.query.agent.scripts import Script, Tool

PRO_USERS = "SELECT COUNT(*) AS n FROM users WHERE plan = 'pro'"


def retried(part: object) -> bool:
    """A tool failure sent back to the model as a retry (pydantic-ai 2: a retried return)."""
    return isinstance(part, RetryPromptPart) or getattr(part, "outcome", None) == "retried"


def agent(layer: SemanticLayer, script: Script, **kwargs: Any) -> AgentAnswerer:
    return AgentAnswerer(script.model, layer, now=lambda: NOW, **kwargs)


async def test_text_streams_as_one_delta_per_provider_chunk(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script(["The demo has six thousand users."])
    r = record("How big is the demo?")
    await agent(layer, script).answer(r.ctx)
    deltas = r.of("text-delta")
    assert [d.delta for d in deltas] == ["The ", "demo ", "has ", "six ", "thousand ", "users."]
    assert len({d.part_id for d in deltas}) == 1
    assert r.events[-1].type == "usage"


async def test_sql_runs_through_the_guard_and_matches_the_data(
    layer: SemanticLayer, record: Record, demo_db: Path
) -> None:
    script = Script([Tool("executeSQL", {"sql": PRO_USERS}), "Done."])
    r = record("How many pro users?")
    await agent(layer, script).answer(r.ctx)
    call, result = r.of("tool-call"), r.of("tool-result")
    assert [c.input for c in call] == [{"sql": PRO_USERS}]
    assert call[0].name == result[0].name == "executeSQL"
    assert call[0].tool_call_id == result[0].tool_call_id
    expected = scalar(demo_db, PRO_USERS)
    assert result[0].output["rows"] == [{"n": expected}]
    assert result[0].output["columns"] == ["n"]
    sent = script.returns(1)[0]
    assert sent.content["rows"] == [{"n": expected}] and sent.content["rowCount"] == 1
    assert r.ctx.steps == 1


async def test_a_guard_refusal_goes_back_and_the_agent_corrects_itself(
    layer: SemanticLayer, record: Record, demo_db: Path
) -> None:
    script = Script([
        Tool("executeSQL", {"sql": "SELECT * FROM salaries"}),
        Tool("executeSQL", {"sql": "DELETE FROM users"}),
        Tool("executeSQL", {"sql": PRO_USERS}),
        "Fixed it.",
    ])
    r = record("How many pro users?")
    await agent(layer, script).answer(r.ctx)
    first, second = script.returns(1)[0], script.returns(2)[0]
    assert retried(first) and "salaries" in str(first.content)
    assert retried(second) and "refused" in str(second.content)
    outputs = [e.output for e in r.of("tool-result")]
    assert "error" in outputs[0] and "error" in outputs[1]
    assert outputs[2]["rows"] == [{"n": scalar(demo_db, PRO_USERS)}]
    assert r.ctx.steps == 3 and r.text == "Fixed it."


async def test_a_database_error_goes_back_to_the_agent(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script([Tool("executeSQL", {"sql": "SELECT 1 / 'x' AS broken FROM users"}), "Sorry."])
    r = record("Break it")
    await agent(layer, script).answer(r.ctx)
    sent = script.returns(1)[0]
    assert retried(sent) and "database refused" in str(sent.content)
    assert r.of("tool-result")[0].output["rows"] == []


async def test_the_step_limit_ends_with_a_plain_answer(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script([Tool("executeSQL", {"sql": "SELECT * FROM nope"})])
    r = record("Loop forever")
    await agent(layer, script, max_steps=3).answer(r.ctx)
    assert len(script.seen) == 3
    assert r.text == STEP_LIMIT_TEXT
    assert r.events[-1].type == "usage"


async def test_a_metric_runs_with_its_sql_as_written(
    layer: SemanticLayer, record: Record
) -> None:
    metric = next(m for m in layer.metrics if m.id == "total_gmv")
    script = Script([Tool("runMetric", {"metric_id": "total_gmv"}), "GMV is known."])
    r = record("What is the total GMV?")
    await agent(layer, script).answer(r.ctx)
    assert [c.input for c in r.of("tool-call")] == [{"sql": metric.sql}]
    assert r.of("tool-result")[0].output["columns"] == ["total_gmv"]


async def test_catalog_tools_describe_the_layer_and_refuse_unknown_names(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script([
        [Tool("listEntities"), Tool("describeEntity", {"name": "orders"}),
         Tool("searchGlossary", {"query": "revenue"})],
        Tool("describeEntity", {"name": "salaries"}),
        "Read.",
    ])
    r = record("What is there?")
    await agent(layer, script).answer(r.ctx)
    returns = {p.tool_name: p.content for p in script.returns(1)}
    assert {e["table"] for e in returns["listEntities"]} == set(layer.tables)
    assert returns["describeEntity"]["name"] == "Orders"
    dimensions = {d["name"] for d in returns["describeEntity"]["dimensions"]}
    assert {"status", "created_at"} <= dimensions
    assert "revenue" in {t["term"] for t in returns["searchGlossary"]["terms"]}
    refused = script.returns(2)[0]
    assert retried(refused) and "Orders" in str(refused.content)
    names = [e.name for e in r.of("tool-call")]
    assert names == ["listEntities", "describeEntity", "searchGlossary"]


async def test_the_test_model_calls_tools_then_asks_back(
    layer: SemanticLayer, record: Record
) -> None:
    ask = {"term": "sales", "options": ["orders", "GMV"], "question": "Orders or GMV?"}
    model = TestModel(call_tools=["listEntities", "searchGlossary"], custom_output_args=ask)
    r = record("How are sales?")
    await AgentAnswerer(model, layer, now=lambda: NOW).answer(r.ctx)
    assert {e.name for e in r.of("tool-call")} == {"listEntities", "searchGlossary"}
    assert r.of("clarification")[0].term == "sales"
    assert r.text == "Orders or GMV?"


async def test_a_clarification_has_the_planners_shape(
    layer: SemanticLayer, record: Record
) -> None:
    ask = {"term": "revenue", "options": ["GMV", "Net revenue"],
           "question": "Do you mean GMV or net revenue?"}
    script = Script([Tool("askClarification", ask)])
    r = record("What was revenue?")
    await agent(layer, script).answer(r.ctx)
    (clarification,) = r.of("clarification")
    assert (clarification.term, clarification.options) == ("revenue", ["GMV", "Net revenue"])
    assert clarification.question == ask["question"]
    assert r.text == ask["question"]
    assert not r.of("tool-call")


async def test_history_reaches_the_model_as_earlier_turns(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script(["Still 42."])
    history = (HistoryTurn(role="user", content="How many pro users?"),
               HistoryTurn(role="assistant", content="There are 42."))
    await agent(layer, script).answer(record("And now?", history).ctx)
    messages = script.seen[0]
    assert isinstance(messages[0], ModelRequest)
    assert messages[0].parts[-1].content == "How many pro users?"
    assert isinstance(messages[1], ModelResponse)
    assert messages[1].parts == [TextPart(content="There are 42.")]
    assert messages[-1].parts[-1].content == "And now?"


async def test_usage_is_published_per_call_with_idempotency_keys(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script([Tool("executeSQL", {"sql": PRO_USERS}), "Done."])
    r = record("How many pro users?")
    await agent(layer, script, publish=r.publish, model_label="test:scripted").answer(r.ctx)
    published = [m for m in r.published if isinstance(m, UsageRecorded)]
    assert [m.idempotency_key for m in published] == ["req-1:0", "req-1:1"]
    assert {m.customer_id for m in published} == {"ws-1"}
    assert {m.feature for m in published} == {"llm-tokens"}
    assert all(m.amount == m.details["input_tokens"] + m.details["output_tokens"] > 0
               for m in published)
    usage = r.events[-1]
    assert usage.type == "usage"
    assert usage.total_tokens == sum(m.amount for m in published)
    assert usage.input_tokens + usage.output_tokens == usage.total_tokens


async def test_later_text_parts_get_their_own_id_and_start_a_paragraph(
    layer: SemanticLayer, record: Record
) -> None:
    script = Script([("Let me look.", Tool("listEntities")), "Five entities."])
    r = record("What is there?")
    await agent(layer, script).answer(r.ctx)
    kinds = [e.type for e in r.events if e.type in ("text-delta", "tool-call")]
    assert kinds.index("tool-call") == 3  # after "Let ", "me ", "look."
    parts = list(dict.fromkeys(d.part_id for d in r.of("text-delta")))
    assert len(parts) == 2
    assert r.text == "Let me look.\n\nFive entities."


async def test_a_stop_cancels_the_run_mid_stream(layer: SemanticLayer, record: Record) -> None:
    script = Script(["word " * 200])
    r = record("Talk")
    slow = agent(layer, script)
    original = r.ctx.emit

    async def slow_emit(event: Any) -> int:
        await asyncio.sleep(0.005)
        return await original(event)

    r.ctx.emit = slow_emit
    task = asyncio.create_task(slow.answer(r.ctx))
    while len(r.of("text-delta")) < 3:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 3 <= len(r.of("text-delta")) < 200
    assert not r.of("usage")
