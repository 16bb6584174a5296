"""``atlas init``'s settings from the environment, under the names the server already reads:
``ATLAS_DATASOURCE_URL`` and ``ATLAS_DEMO_DB_PATH`` as the query service names them, and the
agent's provider settings (``ATLAS_PROVIDER``, ``ATLAS_MODEL``, ``OPENAI_API_KEY``, ...) for
``--enrich``. Keys and the URL are secrets: never printed, never written."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Provider = Literal["anthropic", "openai", "ollama", "openai-compatible"]


class InitSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    datasource_url: SecretStr | None = Field(None, validation_alias="ATLAS_DATASOURCE_URL")
    demo_db_path: Path = Field(Path("var/demo.duckdb"), validation_alias="ATLAS_DEMO_DB_PATH")
    statement_timeout_s: float = Field(
        10.0, gt=0, validation_alias="ATLAS_INIT_STATEMENT_TIMEOUT_S"
    )
    provider: Provider | None = Field(None, validation_alias="ATLAS_PROVIDER")
    model: str | None = Field(None, validation_alias="ATLAS_MODEL")
    anthropic_api_key: SecretStr | None = Field(None, validation_alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(None, validation_alias="ANTHROPIC_BASE_URL")
    openai_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    ollama_base_url: str = Field("http://localhost:11434", validation_alias="OLLAMA_BASE_URL")
    openai_compatible_base_url: str | None = Field(
        None, validation_alias="OPENAI_COMPATIBLE_BASE_URL"
    )
    openai_compatible_api_key: SecretStr | None = Field(
        None, validation_alias="OPENAI_COMPATIBLE_API_KEY"
    )
    provider_timeout_s: float = Field(60.0, gt=0, validation_alias="ATLAS_AGENT_PROVIDER_TIMEOUT_S")

    @field_validator("provider", "model", "datasource_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


class SettingsProblem(Exception):
    """One line naming the variable that is wrong (its value is never shown)."""


def load_settings() -> InitSettings:
    try:
        return InitSettings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise SettingsProblem(f"{where}: {first['msg']}") from None
