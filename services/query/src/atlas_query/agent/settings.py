"""Settings of the LLM agent, under the names Atlas users already set.

``ATLAS_PROVIDER`` picks the provider (unset: no agent, the offline planner alone),
``ATLAS_MODEL`` the model, and each provider reads its usual key or base URL. The worker's
settings class mixes this in; API keys are ``SecretStr`` so they never print.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from atlas_common.settings import FIELD_NAMES_NOT_READ

Provider = Literal["anthropic", "openai", "ollama", "openai-compatible"]

#: A model for the providers that have an obvious one; the others need ``ATLAS_MODEL``.
DEFAULT_MODELS: dict[str, str] = {
    "anthropic": "claude-sonnet-4-6",
    "openai": "gpt-5.6-terra",
    "ollama": "llama3.1",
}


class AgentSettings(BaseSettings):
    # hide_input_in_errors: a refusal to start must not print the keys it was given.
    model_config = SettingsConfigDict(
        env_file=".env",
        extra="ignore",
        populate_by_name=True,
        hide_input_in_errors=True,
        env_prefix=FIELD_NAMES_NOT_READ,
    )

    provider: Provider | None = Field(None, validation_alias="ATLAS_PROVIDER")
    model: str | None = Field(None, validation_alias="ATLAS_MODEL")
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(
        None,
        validation_alias="ANTHROPIC_BASE_URL",
        description="The Anthropic SDK's own variable: a proxy or an Anthropic-compatible server.",
    )
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(
        None, validation_alias="OPENAI_BASE_URL", description="The OpenAI SDK's own variable."
    )
    ollama_base_url: str = Field("http://localhost:11434", validation_alias="OLLAMA_BASE_URL")
    openai_compatible_base_url: str | None = Field(
        None, validation_alias="OPENAI_COMPATIBLE_BASE_URL"
    )
    openai_compatible_api_key: SecretStr | None = Field(
        None, validation_alias="OPENAI_COMPATIBLE_API_KEY"
    )

    agent_max_steps: int = Field(
        10,
        ge=1,
        le=100,
        validation_alias="ATLAS_AGENT_MAX_STEPS",
        description="Model requests per answer; a refused or failed SQL costs one step.",
    )
    provider_timeout_s: float = Field(
        60.0,
        gt=0,
        validation_alias="ATLAS_AGENT_PROVIDER_TIMEOUT_S",
        description="Longest wait for the provider's next bytes (headers or a chunk).",
    )
    provider_retries: int = Field(
        2,
        ge=0,
        le=10,
        validation_alias="ATLAS_AGENT_PROVIDER_RETRIES",
        description="Retries of a retryable provider failure before any token was streamed.",
    )
    provider_retry_max_wait_s: float = Field(
        10.0,
        ge=0,
        validation_alias="ATLAS_AGENT_PROVIDER_RETRY_MAX_WAIT_S",
        description="Longest wait before a retry; a longer Retry-After fails fast instead.",
    )

    @field_validator("provider", "model", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _provider_is_complete(self) -> AgentSettings:
        # Refuse to start rather than fail every question at the first model request.
        missing = {
            "anthropic": None if self.anthropic_api_key else "ANTHROPIC_API_KEY",
            "openai": None if self.openai_api_key else "OPENAI_API_KEY",
            "openai-compatible": None
            if self.openai_compatible_base_url
            else "OPENAI_COMPATIBLE_BASE_URL",
        }.get(self.provider or "")
        if missing:
            raise ValueError(f"ATLAS_PROVIDER={self.provider} requires {missing}")
        if self.provider and not self.model_name:
            raise ValueError(f"ATLAS_PROVIDER={self.provider} requires ATLAS_MODEL")
        return self

    @property
    def model_name(self) -> str | None:
        if self.provider is None:
            return None
        return self.model or DEFAULT_MODELS.get(self.provider)

    @property
    def model_label(self) -> str:
        """``provider:model`` for logs and usage records (never a key)."""
        return f"{self.provider}:{self.model_name}" if self.provider else "none"
