"""The time column a range or grain applies to, and the SQL of ranges and buckets.

The column is the one the question names ("signed up", "resolved"), else the only real
date or timestamp column of the nearest entity (the measured one, then joined ones as
:class:`~atlas_query.planner.choices.Chooser` ranks them). Several candidates left: the words
of the question decide, else the asker does. Stored timestamps are naive UTC (the Atlas
convention); ranges are computed in ``ATLAS_TIMEZONE`` and compared in UTC, and buckets are
cut in that zone.
"""

from __future__ import annotations

import re
from functools import cache

import sqlglot
from sqlglot import exp

from atlas_query.planner import buckets
from atlas_query.planner.choices import Chooser
from atlas_query.planner.clarify import question
from atlas_query.planner.plan import Ambiguous, Clarify, Declined, Output, TimeFilter
from atlas_query.planner.refs import Ref
from atlas_query.planner.text import root, stems
from atlas_query.planner.time import Grain, TimeRange
from atlas_query.semantic import Dimension

_SQL_FORMAT = "%Y-%m-%d %H:%M:%S"


class TimeColumns:
    def __init__(self, chooser: Chooser, timezone: str) -> None:
        self.chooser = chooser
        self.sql = chooser.sql
        self.timezone = timezone

    def choose(self, hints: list[Ref], base: str, involved: set[str], words: set[str],
               phrase: str) -> tuple[str, Dimension]:
        named = [(h.entity or "", self.sql.dimension(h.entity or "", h.name)) for h in hints]
        found = self._nearest(named, base, involved) if named else []
        if not found:
            found = self._nearest(self._candidates(base), base, involved)
        if len(found) > 1:
            found = _by_words(found, words) or found
        if not found:
            raise Declined(f'Nothing measured here has a date to apply "{phrase}" to.')
        if len(found) > 1:
            options = [f"{e}.{d.name}" + (f" ({d.description})" if d.description else "")
                       for e, d in found]
            raise Ambiguous(Clarify(phrase, options, question(phrase, options)))
        return found[0]

    def _candidates(self, base: str) -> list[tuple[str, Dimension]]:
        return [(entity, dimension) for entity in self.sql.entities
                for dimension in self.sql.time_dimensions(entity)]

    def _nearest(self, columns: list[tuple[str, Dimension]], base: str,
                 involved: set[str]) -> list[tuple[str, Dimension]]:
        ranked = [(rank, (e, d)) for e, d in columns
                  if (rank := self.chooser.rank(e, base, involved)) is not None]
        if not ranked:
            return []
        best = min(rank for rank, _ in ranked)
        return [column for rank, column in ranked if rank == best]

    def column(self, entity: str, dimension: Dimension) -> exp.Expr:
        expr = self.sql.dimension_expr(entity, dimension.name)
        if expr is None:
            raise Declined(f"The SQL of dimension {entity}.{dimension.name} does not parse.")
        return expr

    def time_filter(self, column: exp.Expr, dimension: Dimension,
                    ranges: list[TimeRange]) -> TimeFilter:
        return TimeFilter(column, dimension.type == "date", tuple(ranges))

    def bucket(self, grain: Grain, column: exp.Expr, is_date: bool) -> Output:
        dialect = self.sql.dialect
        if grain == "weekday":  # English day names, in the asker's time zone
            source = column if is_date or self.timezone == "UTC" else \
                buckets.local(column, self.timezone, dialect) if dialect in buckets.OWN_BUCKETS \
                else local(column, self.timezone)
            return Output(buckets.day_name(source, dialect), "weekday", "day of week")
        if dialect in buckets.OWN_BUCKETS:  # MySQL, SQLite: no DATE_TRUNC of their own
            as_is = is_date or self.timezone == "UTC"
            source = column if as_is else buckets.local(column, self.timezone, dialect)
            return Output(exp.cast(buckets.truncate(grain, source, dialect), "DATE"), grain,
                          grain)
        source = column if is_date or self.timezone == "UTC" else local(column, self.timezone)
        trunc = _trunc(grain, dialect).copy()
        trunc.set("this", source.copy())
        return Output(exp.cast(trunc, "DATE"), grain, grain)


def range_condition(column: exp.Expr, is_date: bool, found: TimeRange) -> exp.Expr:
    """``column >= start AND column < end`` with literals of the column's type."""
    if is_date:
        low, high = (exp.cast(exp.Literal.string(day.isoformat()), "DATE")
                     for day in (found.start.date(), found.end.date()))
    else:
        low, high = (exp.cast(exp.Literal.string(moment.strftime(_SQL_FORMAT)), "TIMESTAMP")
                     for moment in found.utc())
    return exp.and_(column.copy() >= low, column.copy() < high)


def local(column: exp.Expr, timezone: str) -> exp.Expr:
    """A naive UTC timestamp as wall time in ``timezone``."""
    utc = exp.AtTimeZone(this=column.copy(), zone=exp.Literal.string("UTC"))
    return exp.AtTimeZone(this=utc, zone=exp.Literal.string(timezone))


@cache
def _trunc(grain: str, dialect: str) -> exp.Expr:
    return sqlglot.parse_one(f"DATE_TRUNC('{grain}', placeholder)", read=dialect)


def _by_words(found: list[tuple[str, Dimension]], words: set[str]
              ) -> list[tuple[str, Dimension]]:
    """The columns whose name or headline (the description up to its first ``;`` or ``.``)
    shares the most word roots with the question: "opened" picks "when it was opened"."""
    asked = {root(w) for w in words}
    scored = [(len(asked & {root(w) for w in stems(_headline(d))}), (e, d)) for e, d in found]
    best = max(score for score, _ in scored)
    return [column for score, column in scored if score == best] if best else []


def _headline(dimension: Dimension) -> str:
    first = re.split(r"[;.]", dimension.description or "", maxsplit=1)[0]
    return f"{dimension.name.replace('_', ' ')} {first}"
