"""What the planner decides: a :class:`Plan` to run, a :class:`Clarify` question, or a
:class:`CannotAnswer` explanation. Plans hold sqlglot trees whose columns are qualified by
entity names; :mod:`atlas_query.planner.compile` turns them into SQL for a dialect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlglot import exp

from atlas_query.planner.time import Grain, TimeRange

Shape = Literal["number", "series", "breakdown", "top", "comparison", "list"]


@dataclass(frozen=True)
class Output:
    """One column of the result: its expression, name and how people call it."""

    expr: exp.Expr
    alias: str
    label: str
    keys: tuple[exp.Expr, ...] = ()  # extra GROUP BY keys (an entity's primary key)


@dataclass(frozen=True)
class Value(Output):
    unit: str | None = None  # USD, percent, cents...


@dataclass(frozen=True)
class TimeFilter:
    column: exp.Expr
    is_date: bool
    ranges: tuple[TimeRange, ...]


@dataclass
class Plan:
    shape: Shape
    base: str
    subject: str  # "signups", "orders": what the number counts or measures
    value: Value | None = None
    groups: list[Output] = field(default_factory=list)
    columns: list[Output] = field(default_factory=list)  # a listing's columns
    filters: list[exp.Expr] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # filters in words: "status: delivered"
    time: TimeFilter | None = None
    bucket: Grain | None = None
    descending: bool = True
    limit: int | None = None
    order_by: exp.Expr | None = None  # a listing's order
    extra: list[Value] = field(default_factory=list)  # more values: "orders and revenue"
    having: exp.Expr | None = None  # kept groups: "more than 20 orders"
    count_groups: bool = False  # the answer counts the kept groups
    change: str | None = None  # "growth" / "change": each bucket against the one before
    verbatim_sql: str | None = None
    metric: str | None = None
    composed: bool = False

    @property
    def ranges(self) -> tuple[TimeRange, ...]:
        return self.time.ranges if self.time is not None else ()

    def details(self) -> dict[str, Any]:
        """The plan event's details: what was chosen, in the layer's names."""
        return {
            "shape": self.shape, "entity": self.base, "metric": self.metric,
            "mode": "verbatim" if self.verbatim_sql else ("composed" if self.composed else
                                                          "built"),
            "groups": [g.alias for g in self.groups], "filters": self.notes,
            "ranges": [{"phrase": r.name, "start": r.start.isoformat(),
                        "end": r.end.isoformat()} for r in self.ranges],
            "grain": self.bucket, "limit": self.limit,
        }


@dataclass(frozen=True)
class Clarify:
    term: str
    options: list[str]
    question: str


@dataclass(frozen=True)
class CannotAnswer:
    reason: str
    suggestions: list[str] = field(default_factory=list)
    closest: list[str] = field(default_factory=list)


class Declined(Exception):
    """Raised inside planning when the question cannot be answered with confidence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Ambiguous(Exception):
    """Raised inside planning when a term needs the asker to choose."""

    def __init__(self, clarify: Clarify) -> None:
        super().__init__(clarify.question)
        self.clarify = clarify
