"""The provider settings under Atlas's names, and the models they build (no network)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from atlas_query.agent.providers import build_model, model_settings
from atlas_query.agent.settings import AgentSettings
from atlas_query.worker.settings import WorkerSettings

SECRET = "sk-ant-not-a-real-key-0123456789"
ENV_NAMES = (
    "ATLAS_PROVIDER", "ATLAS_MODEL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY",
    "OPENAI_BASE_URL", "OLLAMA_BASE_URL", "OPENAI_COMPATIBLE_BASE_URL",
    "OPENAI_COMPATIBLE_API_KEY", "ATLAS_AGENT_MAX_STEPS",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_the_atlas_names_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_PROVIDER", "anthropic")
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    monkeypatch.setenv("ATLAS_AGENT_MAX_STEPS", "4")
    settings = WorkerSettings()
    assert settings.provider == "anthropic"
    assert settings.model_name == "claude-sonnet-4-6"  # a default for anthropic
    assert settings.agent_max_steps == 4
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())


def test_no_provider_means_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_PROVIDER", "")
    settings = AgentSettings()
    assert settings.provider is None and build_model(settings) is None
    assert settings.agent_max_steps == 10


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ATLAS_PROVIDER": "anthropic"}, "ANTHROPIC_API_KEY"),
        ({"ATLAS_PROVIDER": "openai"}, "OPENAI_API_KEY"),
        ({"ATLAS_PROVIDER": "openai-compatible", "OPENAI_COMPATIBLE_API_KEY": SECRET},
         "OPENAI_COMPATIBLE_BASE_URL"),
        ({"ATLAS_PROVIDER": "openai-compatible", "OPENAI_COMPATIBLE_BASE_URL": "http://x/v1"},
         "ATLAS_MODEL"),
    ],
)
def test_an_incomplete_provider_refuses_to_start_without_printing_keys(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as raised:
        WorkerSettings()
    assert missing in str(raised.value)
    assert SECRET not in str(raised.value)


def test_each_provider_builds_its_model() -> None:
    cases = {
        "anthropic": ({"ANTHROPIC_API_KEY": SECRET, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"},
                      "anthropic", "http://127.0.0.1:9"),
        "openai": ({"OPENAI_API_KEY": SECRET}, "openai", "https://api.openai.com/v1"),
        "ollama": ({"OLLAMA_BASE_URL": "http://127.0.0.1:11434"}, "ollama",
                   "http://127.0.0.1:11434/v1"),
        "openai-compatible": ({"OPENAI_COMPATIBLE_BASE_URL": "http://127.0.0.1:9/v1"},
                              "openai-compatible", "http://127.0.0.1:9/v1"),
    }
    for provider, (env, system, base_url) in cases.items():
        settings = AgentSettings(ATLAS_PROVIDER=provider, ATLAS_MODEL="m", **env)
        model = build_model(settings)
        assert model is not None
        assert model.model_name == "m"
        assert model.system == system
        assert str(model.base_url).rstrip("/") == base_url


def test_requests_have_the_timeout_and_no_sdk_retries() -> None:
    settings = AgentSettings(ATLAS_AGENT_PROVIDER_TIMEOUT_S=7)
    assert model_settings(settings) == {"timeout": 7.0, "max_retries": 0}
