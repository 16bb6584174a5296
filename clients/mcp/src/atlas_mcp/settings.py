"""The MCP server's settings: pydantic-settings, the Atlas names people already know.

``ATLAS_URL`` is the gateway; ``ATLAS_API_KEY`` the key used over stdio (over HTTP every MCP
client sends its own). ``atlas mcp`` fills both from its flags and the saved ``atlas login``
session before these are read, so the environment is the fallback.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_URL = "http://127.0.0.1:8000"


class McpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    url: str = Field(DEFAULT_URL, validation_alias="ATLAS_URL")
    api_key: SecretStr | None = Field(None, validation_alias="ATLAS_API_KEY")
    transport: Literal["stdio", "http"] = Field("stdio", validation_alias="ATLAS_MCP_TRANSPORT")
    host: str = Field("127.0.0.1", validation_alias="ATLAS_MCP_HOST")
    port: int = Field(8105, ge=1, le=65535, validation_alias="ATLAS_MCP_PORT")
    #: Seconds to wait for the gateway (a question can take a while).
    timeout: float = Field(180.0, gt=0, validation_alias="ATLAS_TIMEOUT")
    max_retries: int = Field(2, ge=0, le=10, validation_alias="ATLAS_MAX_RETRIES")
    #: Hosts allowed in the Host header over HTTP besides localhost (DNS-rebinding guard).
    allowed_hosts: list[str] = Field(
        default_factory=list, validation_alias="ATLAS_MCP_ALLOWED_HOSTS"
    )
    log_level: str = Field("WARNING", validation_alias="ATLAS_LOG_LEVEL")
    #: JSON lines like every Atlas service; false gives plain lines for a person reading stderr.
    log_json: bool = Field(True, validation_alias="ATLAS_LOG_JSON")

    @property
    def base_url(self) -> str:
        return self.url.strip().rstrip("/")

    def key(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None
