"""The llm-tokens gate: when the plan's tokens are spent, the model is not called; the planner
answers and says why (issue 10, wired into the agent's router)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.agent.conftest import provider_env
from tests.e2e.agent.scripted import ScriptedProvider, say
from tests.support.stack import wait_for_workers
from tests.support.stacks import isolated_stack

PLANS = """
features:
  query:      {type: boolean}
  queries:    {type: metered, unit: question, reset: month}
  llm-tokens: {type: metered, unit: token, reset: month}
plans:
  no-model:
    default: true
    features: {query: true, queries: {unlimited: true}, llm-tokens: {limit: 0}}
"""


@pytest.fixture(scope="module")
def gated(scripted_provider: ScriptedProvider,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("llm-tokens-gate")
    plans = directory / "plans.yaml"
    plans.write_text(PLANS)
    # its own stack: a plans file metering LLM tokens.
    env = {
        **provider_env("openai-compatible", scripted_provider.url),
        "ATLAS_PLANNER": "auto",
        "ATLAS_MODEL": "scripted-model",
        "ATLAS_PLANS_FILE": str(plans),
        "ATLAS_DEMO_DB_PATH": str(Path(directory) / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(Path(directory) / "heartbeat"),
    }
    with isolated_stack(directory, env) as (stack, _):
        with stack.together():
            stack.start_entitlements()
            stack.start_auth()
            stack.start_query_api()
            stack.start("atlas-query-worker", "worker-1")
            gateway = stack.start_gateway()
        wait_for_workers(gateway)
        yield gateway


def test_spent_tokens_keep_the_model_out_and_the_planner_answers(
        gated: str, scripted_provider: ScriptedProvider) -> None:
    marker = scripted_provider.script("gate-never-called", say("the model answered"))
    question = f"Why do customers churn? {marker}"  # the planner cannot answer this one
    r = httpx.post(gated + "/api/v1/query", json={"question": question}, timeout=60)
    assert r.status_code == 200, r.text
    answer = r.json()["answer"]
    assert "The language model was not used" in answer
    assert "the model answered" not in answer
    assert scripted_provider.requests["gate-never-called"] == []
    planned = httpx.post(gated + "/api/v1/query", timeout=60,
                         json={"question": "How many users signed up last week?"})
    assert planned.status_code == 200 and planned.json()["sql"], planned.text
