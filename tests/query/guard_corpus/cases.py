"""The shape of a corpus case. Expectations are written by hand, never taken from the guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Dialect = Literal["postgres", "duckdb", "mysql", "sqlite"]
ALL: tuple[Dialect, ...] = ("postgres", "duckdb", "mysql", "sqlite")
BOTH: tuple[Dialect, ...] = ("postgres", "duckdb")  # syntax or schemas only these two have
PG: tuple[Dialect, ...] = ("postgres",)
DUCK: tuple[Dialect, ...] = ("duckdb",)
MYSQL: tuple[Dialect, ...] = ("mysql",)
SQLITE: tuple[Dialect, ...] = ("sqlite",)
NO_MYSQL: tuple[Dialect, ...] = ("postgres", "duckdb", "sqlite")
NO_SQLITE: tuple[Dialect, ...] = ("postgres", "duckdb", "mysql")


@dataclass(frozen=True)
class Refused:
    sql: str
    layer: str
    dialects: tuple[Dialect, ...] = ALL


@dataclass(frozen=True)
class Valid:
    sql: str
    tables: tuple[str, ...]
    dialects: tuple[Dialect, ...] = ALL
