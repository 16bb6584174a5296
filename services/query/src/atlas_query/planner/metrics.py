"""Metrics taken apart: the aggregate, the filters and the breakdown of a metric's SQL.

A metric is *composable* when its SQL is one plain aggregate query over its source entity
(``SELECT <group keys>, <one aggregate> FROM t [JOIN along declared many-to-one joins]
[WHERE ...] [GROUP BY ...]``, no subquery, HAVING or window) and its declared ``source``
measure is the aggregate it computes. Then a question that adds a filter, range or breakdown
gets the same aggregate and the same filters, plus its own, rebuilt by the planner's
compiler. Anything else is used only verbatim, as SEMANTIC_LAYER.md requires.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from atlas_query.planner.expressions import LayerSql, entities_in
from atlas_query.planner.joins import JoinGraph
from atlas_query.semantic import Metric

_AGGREGATES: dict[str, type[exp.Expr]] = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min,
                                          "max": exp.Max}


@dataclass(frozen=True)
class MetricParts:
    base: str
    value: exp.Expr
    alias: str
    filters: tuple[exp.Expr, ...]
    groups: tuple[tuple[exp.Expr, str], ...]
    composable: bool  # a source measure that matches, and no fan-out

    def filter_sql(self) -> frozenset[str]:
        return frozenset(f.sql() for f in self.filters)


class MetricAnalyzer:
    def __init__(self, sql: LayerSql, graph: JoinGraph, entity_of_table: dict[str, str]) -> None:
        self.sql = sql
        self.graph = graph
        self.tables = entity_of_table

    def parts(self, metric: Metric) -> MetricParts | None:
        try:
            tree = sqlglot.parse_one(metric.sql, read=self.sql.dialect)
        except SqlglotError:
            return None
        if not isinstance(tree, exp.Select) or not _plain(tree):
            return None
        for clause in ("order", "limit", "offset", "group"):  # rebuilt by the compiler
            tree.set(clause, None)
        aliases = self._aliases(tree)
        if aliases is None or not self._qualify(tree, aliases):
            return None
        base = aliases[_table_alias(tree.args["from_"].this)]
        return self._split(metric, tree, base)

    def _aliases(self, tree: exp.Select) -> dict[str, str] | None:
        tables = [tree.args["from_"].this] + [join.this for join in tree.args.get("joins") or []]
        aliases: dict[str, str] = {}
        for table in tables:
            if not isinstance(table, exp.Table):
                return None
            entity = self.tables.get(table.name.lower())
            if entity is None:
                return None
            aliases[_table_alias(table)] = entity
        return aliases

    def _qualify(self, tree: exp.Select, aliases: dict[str, str]) -> bool:
        only = next(iter(aliases.values())) if len(aliases) == 1 else None
        for column in tree.find_all(exp.Column):
            owner = aliases.get(column.table) if column.table else only
            if owner is None:
                return False  # an unqualified column among several tables, or a stray alias
            column.set("table", exp.to_identifier(owner))
        return all(self._join_declared(join) for join in tree.args.get("joins") or [])

    def _join_declared(self, join: exp.Join) -> bool:
        on = join.args.get("on")
        if join.side or not isinstance(on, exp.EQ):
            return False
        left, right = on.this, on.expression
        if not (isinstance(left, exp.Column) and isinstance(right, exp.Column)):
            return False
        return self.graph.declared((left.table, left.name), (right.table, right.name))

    def _split(self, metric: Metric, tree: exp.Select, base: str) -> MetricParts | None:
        values: list[tuple[exp.Expr, str]] = []
        groups: list[tuple[exp.Expr, str]] = []
        for projection in tree.expressions:
            inner = projection.unalias()
            target = values if inner.find(exp.AggFunc) else groups
            target.append((inner, projection.alias_or_name))
        if len(values) != 1:
            return None
        where = tree.args.get("where")
        filters = tuple(conjuncts(where.this)) if where is not None else ()
        value, alias = values[0]
        entities = entities_in(tree)
        fan_out = any(self.graph.path(base, e) is None for e in entities)
        return MetricParts(base, value, alias, filters, tuple(groups),
                           composable=not fan_out and self._from_source(metric, base, value))

    def _from_source(self, metric: Metric, base: str, value: exp.Expr) -> bool:
        source = metric.source
        if source is None or source.entity.lower() != base.lower():
            return False
        try:
            measure = self.sql.measure(base, source.measure)
        except StopIteration:
            return False
        kind = measure.type or "count"
        inner = self.sql.parse(measure.sql, base) if measure.sql else None
        if kind.startswith("count"):
            return value.find(exp.Count) is not None
        wanted = _AGGREGATES.get(kind)
        return inner is not None and wanted is not None and any(
            node.this == inner for node in value.find_all(wanted))


def conjuncts(condition: exp.Expr) -> list[exp.Expr]:
    """``a AND (b AND c)`` -> [a, b, c]; anything else is one condition."""
    if isinstance(condition, exp.And):
        return [*conjuncts(condition.this), *conjuncts(condition.expression)]
    return [condition.unnest() if isinstance(condition, exp.Paren) else condition]


def _plain(tree: exp.Select) -> bool:
    if any(tree.args.get(key) for key in ("with_", "having", "distinct", "qualify")):
        return False
    nested = [s for s in tree.find_all(exp.Select, exp.Subquery) if s is not tree]
    return not nested and tree.find(exp.Window) is None


def _table_alias(table: exp.Table) -> str:
    return table.alias_or_name


def same_breakdown(parts: MetricParts, other: MetricParts) -> bool:
    """Whether two metrics compute the same aggregate over the same rows."""
    return (parts.base == other.base and parts.value.sql() == other.value.sql()
            and parts.filter_sql() == other.filter_sql())
