"""Tables of the semantic layer and validate-sql bodies.

validate-sql layers use upstream's names where a layer corresponds (``empty_check``,
``regex_guard``, ``ast_parse``, ``table_whitelist``; ``connection`` is reserved for a
datasource failure); the layers upstream does not have keep ours (``functions``, ``rls``,
``limit``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from atlas_common.wire import WireModel

ValidationLayer = Literal[
    "empty_check",
    "connection",
    "regex_guard",
    "ast_parse",
    "table_whitelist",
    "functions",
    "rls",
    "limit",
]


class ColumnOut(WireModel):
    name: str
    type: str
    description: str


class TableOut(WireModel):
    table: str
    description: str
    columns: list[ColumnOut]


class TablesResponse(WireModel):
    tables: list[TableOut]


class ValidateSqlRequest(WireModel):
    model_config = ConfigDict(extra="ignore")

    sql: str = Field(max_length=1_000_000)
    connection_id: str | None = Field(None, max_length=200)


class ValidationIssue(WireModel):
    layer: ValidationLayer
    message: str


class ValidateSqlResponse(WireModel):
    valid: bool
    errors: list[ValidationIssue]
    tables: list[str]
    rewritten_sql: str | None
