"""Settings of the query service (worker and query-api).

Names follow Atlas (``ATLAS_DATASOURCE_URL``, ``ATLAS_ROW_LIMIT``...) so existing environment
files keep working. Row-level security comes either from the single-policy shorthand
(``ATLAS_RLS_ENABLED`` + ``ATLAS_RLS_COLUMN`` + ``ATLAS_RLS_CLAIM``) or from a JSON list of
policies in ``ATLAS_RLS_POLICIES``; both may be combined.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from atlas_common.settings import CommonSettings


def demo_semantic_root() -> Path:
    """The demo layer packaged with the service (``atlas_query/demo/semantic``)."""
    return Path(__file__).parent / "demo" / "semantic"


class RlsPolicy(BaseModel):
    """Rows of ``tables`` are visible only where ``column`` equals the principal's ``claim``.

    ``tables`` holds layer table names (as written in the entities' ``table``) or ``"*"`` for
    every table of the layer. ``claim`` may be a dotted path into the principal's claims.
    """

    model_config = ConfigDict(frozen=True)

    tables: list[str] = Field(default_factory=lambda: ["*"], min_length=1)
    column: str = Field(min_length=1)
    claim: str = Field(min_length=1)


class QuerySettings(CommonSettings):
    """The datasource, the semantic layer, the SQL guard's limits and the query-api listener."""

    datasource_url: str = Field(
        "",
        validation_alias="ATLAS_DATASOURCE_URL",
        description="postgresql://... or a .duckdb file; empty means the embedded demo DuckDB.",
    )
    demo_db_path: Path = Field(Path("var/demo.duckdb"), validation_alias="ATLAS_DEMO_DB_PATH")
    semantic_root: Path = Field(
        default_factory=demo_semantic_root, validation_alias="ATLAS_SEMANTIC_ROOT"
    )

    row_limit: int = Field(1000, ge=1, le=1_000_000, validation_alias="ATLAS_ROW_LIMIT")
    query_timeout_ms: int = Field(30_000, ge=1, validation_alias="ATLAS_QUERY_TIMEOUT")

    rls_enabled: bool = Field(False, validation_alias="ATLAS_RLS_ENABLED")
    rls_column: str | None = Field(None, validation_alias="ATLAS_RLS_COLUMN")
    rls_claim: str | None = Field(None, validation_alias="ATLAS_RLS_CLAIM")
    rls_policies: list[RlsPolicy] = Field(
        default_factory=list, validation_alias="ATLAS_RLS_POLICIES"
    )

    api_host: str = Field("127.0.0.1", validation_alias="ATLAS_QUERY_API_HOST")
    api_port: int = Field(8104, ge=1, le=65535, validation_alias="ATLAS_QUERY_API_PORT")

    starter_prompts: list[str] = Field(
        default_factory=list,
        validation_alias="ATLAS_STARTER_PROMPTS",
        description="JSON list of questions offered first on an empty chat, before the "
        "semantic layer catalog's starterPrompts.",
    )

    conversation_retention_days: int = Field(
        30,
        ge=0,
        validation_alias="ATLAS_CONVERSATION_RETENTION_DAYS",
        description="Conversations started by POST /api/v1/query (surface api), unstarred and "
        "untouched this many days, are deleted by query-api; 0 keeps them. Chats are kept.",
    )
    conversation_cleanup_interval_s: float = Field(
        3600.0,
        gt=0,
        validation_alias="ATLAS_CONVERSATION_CLEANUP_INTERVAL_S",
        description="How often query-api applies ATLAS_CONVERSATION_RETENTION_DAYS.",
    )

    planner: Literal["semantic", "llm", "auto"] = Field("auto", validation_alias="ATLAS_PLANNER")
    timezone: str = Field("UTC", validation_alias="ATLAS_TIMEZONE")

    @model_validator(mode="after")
    def _rls_shorthand_is_complete(self) -> QuerySettings:
        # Atlas refuses to start rather than run without the filter it was asked for.
        if self.rls_enabled and not self.rls_policies and not (self.rls_column and self.rls_claim):
            raise ValueError(
                "ATLAS_RLS_ENABLED=true requires ATLAS_RLS_COLUMN and ATLAS_RLS_CLAIM "
                "(or ATLAS_RLS_POLICIES)"
            )
        return self

    def effective_rls_policies(self) -> list[RlsPolicy]:
        """Every policy in force: the explicit list, plus the shorthand when it is enabled.

        Explicit policies apply whenever they are configured (fail closed): leaving
        ``ATLAS_RLS_ENABLED`` unset never silently disables a written policy.
        """
        policies = list(self.rls_policies)
        if self.rls_enabled and self.rls_column and self.rls_claim:
            policies.append(RlsPolicy(tables=["*"], column=self.rls_column, claim=self.rls_claim))
        return policies
