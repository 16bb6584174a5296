"""What the profiler reports while it works, for a progress bar (``atlas init``) or a log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ProgressKind = Literal[
    "introspected",  # the catalogs are read: ``total`` tables to profile
    "table_started",
    "table_finished",  # with ``row_count``, ``columns``, ``sampled``, ``elapsed_s``
    "inferring_keys",  # foreign keys from names and values, over ``total`` candidates
    "finished",
]


@dataclass(frozen=True)
class ProgressEvent:
    kind: ProgressKind
    table: str | None = None  # qualified when not in the default schema
    index: int = 0  # 1-based position of the table, for "3/60"
    total: int = 0
    row_count: int | None = None
    row_count_estimated: bool = False
    columns: int | None = None
    sampled: bool = False
    elapsed_s: float | None = None
    warning: str | None = None  # set when this table ended with a warning
