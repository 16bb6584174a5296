"""The Atlas provider settings -> a pydantic-ai model, with the keys passed explicitly.

Nothing here reads the environment: every key and base URL comes from ``AgentSettings``, so
the SDKs' own environment fallbacks never pick a key the operator did not configure for Atlas.
"""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_ai.models import Model
from pydantic_ai.settings import ModelSettings

from atlas_query.agent.settings import AgentSettings


def build_model(settings: AgentSettings) -> Model | None:
    """The configured model, or None when no provider is set (the planner answers alone)."""
    name = settings.model_name
    if settings.provider is None or name is None:
        return None
    if settings.provider == "anthropic":
        return _anthropic(settings, name)
    if settings.provider == "openai":
        return _openai(settings, name)
    if settings.provider == "ollama":
        return _ollama(settings, name)
    return _openai_compatible(settings, name)


def model_settings(settings: AgentSettings) -> ModelSettings:
    """Per-request settings: the transport timeout; no SDK retries (``retries.py`` owns them)."""
    return ModelSettings(timeout=settings.provider_timeout_s, max_retries=0)


def _anthropic(settings: AgentSettings, name: str) -> Model:
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    provider = AnthropicProvider(
        api_key=_secret(settings.anthropic_api_key), base_url=settings.anthropic_base_url
    )
    return AnthropicModel(name, provider=provider)


def _openai(settings: AgentSettings, name: str) -> Model:
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    provider = OpenAIProvider(
        base_url=settings.openai_base_url, api_key=_secret(settings.openai_api_key)
    )
    return OpenAIChatModel(name, provider=provider)


def _ollama(settings: AgentSettings, name: str) -> Model:
    from pydantic_ai.models.ollama import OllamaModel
    from pydantic_ai.providers.ollama import OllamaProvider

    return OllamaModel(name, provider=OllamaProvider(base_url=_v1(settings.ollama_base_url)))


def _openai_compatible(settings: AgentSettings, name: str) -> Model:
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai_compatible import OpenAICompatibleProvider

    assert settings.openai_compatible_base_url is not None  # checked by AgentSettings
    provider = OpenAICompatibleProvider(
        "openai-compatible",
        base_url=settings.openai_compatible_base_url,
        api_key=_secret(settings.openai_compatible_api_key),
    )
    return OpenAIChatModel(name, provider=provider)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _v1(url: str) -> str:
    """Ollama's OpenAI-compatible API lives under ``/v1``; Atlas users set the server's root."""
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"
