"""What every executor offers, and what it returns.

Executors run SQL the guard has already checked and rewritten; they add the protections that
only the database can give: a read-only session, a statement timeout, and at most
``row_limit + 1`` rows fetched (the extra row tells that the result was cut).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

Dialect = Literal["duckdb", "postgres", "mysql", "sqlite"]


class Column(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type: str


class QueryResult(BaseModel):
    """JSON-safe rows, keyed by column name; ``truncated`` when rows were cut at the limit."""

    columns: list[Column] = Field(default_factory=list)
    rows: list[dict[str, Any]] = Field(default_factory=list)
    truncated: bool = False


class Executor(Protocol):
    dialect: Dialect
    default_schema: str  # where a bare table name resolves: the guard accepts it as qualifier

    async def execute(self, sql: str) -> QueryResult:
        """Run one guarded statement. Raises QueryTimeout, QueryFailed or
        DatasourceUnavailable (see :mod:`atlas_query.errors`)."""
        ...

    async def ping(self) -> None:
        """Raise DatasourceUnavailable unless the datasource answers."""
        ...

    async def close(self) -> None: ...


def unique_names(names: list[str]) -> list[str]:
    """Column names made unique so rows keyed by name lose nothing: a repeated name gets the
    first free suffix (``id``, ``id_2``...), never one another column already has."""
    taken = set(names)
    seen: set[str] = set()
    result = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen or (candidate != name and candidate in taken):
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        result.append(candidate)
    return result


def build_result(names: list[str], types: list[str], records: list[tuple[Any, ...]],
                 row_limit: int) -> QueryResult:
    from atlas_query.executors.jsonsafe import json_safe

    keys = unique_names(names)
    rows = [{key: json_safe(value) for key, value in zip(keys, record, strict=True)}
            for record in records[:row_limit]]
    columns = [Column(name=key, type=kind) for key, kind in zip(keys, types, strict=True)]
    return QueryResult(columns=columns, rows=rows, truncated=len(records) > row_limit)
