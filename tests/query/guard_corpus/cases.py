"""The shape of a corpus case. Expectations are written by hand, never taken from the guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Dialect = Literal["postgres", "duckdb"]
BOTH: tuple[Dialect, ...] = ("postgres", "duckdb")
PG: tuple[Dialect, ...] = ("postgres",)
DUCK: tuple[Dialect, ...] = ("duckdb",)


@dataclass(frozen=True)
class Refused:
    sql: str
    layer: str
    dialects: tuple[Dialect, ...] = BOTH


@dataclass(frozen=True)
class Valid:
    sql: str
    tables: tuple[str, ...]
    dialects: tuple[Dialect, ...] = BOTH
