"""The small interface every read-only datasource connection offers.

``fetch`` runs one statement under the connection's statement timeout and returns the column
names and the rows; SQL is in the datasource's own dialect, with its own placeholders
(``placeholder(i)``) and identifier quoting (``quote``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import TracebackType
from typing import Any, NamedTuple

from atlas_datasources.model import Dialect


class Result(NamedTuple):
    columns: list[str]
    rows: list[tuple[Any, ...]]


class Connection(ABC):
    dialect: Dialect
    database: str  # the database or file name (never the URL)
    default_schema: str | None  # where bare names resolve; None where there are no schemas
    statement_timeout_s: float

    @abstractmethod
    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> Result:
        """Rows of one read-only statement; ``DatasourceError`` on any refusal."""

    @abstractmethod
    async def close(self) -> None: ...

    def placeholder(self, index: int) -> str:
        """The ``index``-th (1-based) parameter marker of this dialect."""
        return "?"

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def qualified(self, schema: str | None, name: str) -> str:
        return f"{self.quote(schema)}.{self.quote(name)}" if schema else self.quote(name)

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
