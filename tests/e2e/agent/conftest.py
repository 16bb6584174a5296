"""A stack per provider kind: auth, query-api, one worker with ATLAS_PLANNER=llm, a gateway.

The worker's provider points at the scripted provider this process serves on loopback, so the
whole path is real: gateway, bus, worker, the provider SDK over HTTP, guard, DuckDB, stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.agent.scripted import ScriptedProvider
from tests.support.isolation import Isolation
from tests.support.stack import Stack, wait_for_workers
from tests.support.stacks import isolated_stack

KINDS = ["openai-compatible", "anthropic"]


@dataclass
class AgentStack:
    kind: str
    stack: Stack
    isolation: Isolation
    provider: ScriptedProvider

    @property
    def gateway(self) -> str:
        return self.stack.gateway_url

    @property
    def demo_db(self) -> Path:
        return Path(self.stack.env["ATLAS_DEMO_DB_PATH"])

    def key(self, name: str) -> str:
        """A script key unique to this stack (both stacks share one scripted provider)."""
        return f"{name}-{self.kind}"


@pytest.fixture(scope="session")
def scripted_provider() -> Iterator[ScriptedProvider]:
    provider = ScriptedProvider().start()
    try:
        yield provider
    finally:
        provider.stop()


def provider_env(kind: str, url: str) -> dict[str, str]:
    if kind == "anthropic":
        return {"ATLAS_PROVIDER": "anthropic", "ANTHROPIC_API_KEY": "sk-ant-test-only",
                "ANTHROPIC_BASE_URL": url}
    return {"ATLAS_PROVIDER": "openai-compatible", "OPENAI_COMPATIBLE_BASE_URL": url + "/v1"}


@pytest.fixture(scope="module", params=KINDS)
def agent_stack(
    request: pytest.FixtureRequest,
    scripted_provider: ScriptedProvider,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AgentStack]:
    kind: str = request.param
    directory = tmp_path_factory.mktemp(f"agent-{kind}")
    env = {
        **provider_env(kind, scripted_provider.url),
        "ATLAS_PLANNER": "llm",
        "ATLAS_MODEL": "scripted-model",
        "ATLAS_AGENT_PROVIDER_TIMEOUT_S": "1",
        "ATLAS_AGENT_PROVIDER_RETRIES": "1",
        "ATLAS_AGENT_PROVIDER_RETRY_MAX_WAIT_S": "2",
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat"),
        "ATLAS_QUERY_DEADLINE_S": "30",
        "ATLAS_STREAM_GRACE_S": "5",
        "ATLAS_LOG_JSON": "true",
    }
    # its own stack per provider kind: the LLM planner against the scripted provider.
    with isolated_stack(directory, env) as (stack, isolation):
        with stack.together():
            stack.start("atlas-query-worker", "worker-1")
            stack.start_auth()
            stack.start_query_api()
            stack.gateway_url = stack.start_gateway()
        wait_for_workers(stack.gateway_url)
        yield AgentStack(kind, stack, isolation, scripted_provider)
