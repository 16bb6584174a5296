"""A plan as SQL: a sqlglot tree built from the plan's expressions, joined along the layer's
declared joins, and generated for the datasource's dialect (DuckDB, PostgreSQL).

Columns in plans are qualified by entity names; here they get table aliases (or none, when
one table is enough). A verbatim metric is returned as the layer wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlglot import exp

from atlas_query.planner.expressions import entities_in
from atlas_query.planner.joins import Edge, JoinGraph
from atlas_query.planner.plan import Declined, Output, Plan
from atlas_query.planner.time import TimeRange
from atlas_query.planner.timecols import range_condition
from atlas_query.semantic import Entity

PERIOD = "period"
_Rename = Callable[[exp.Expr], exp.Expr]


class Compiler:
    def __init__(self, entities: Iterable[Entity], graph: JoinGraph, dialect: str) -> None:
        self.tables = {e.name: e.table for e in entities}
        self.graph = graph
        self.dialect = dialect

    def sql(self, plan: Plan) -> str:
        return plan.verbatim_sql if plan.verbatim_sql is not None else \
            self.tree(plan).sql(dialect=self.dialect)

    def tree(self, plan: Plan) -> exp.Query:
        if plan.shape != "comparison":
            found = plan.ranges[0] if plan.ranges else None
            return self._select(plan, found, None)
        first, second = (self._select(plan, r, r.name) for r in plan.ranges)
        return exp.union(first, second, distinct=False)

    def _select(self, plan: Plan, found: TimeRange | None, period: str | None) -> exp.Select:
        outputs = plan.columns or [*plan.groups, *([plan.value] if plan.value else []),
                                   *plan.extra]
        where = list(plan.filters)
        if found is not None and plan.time is not None:
            where.append(range_condition(plan.time.column, plan.time.is_date, found))
        needed = set().union(*(entities_in(o.expr) for o in outputs), *map(entities_in, where))
        edges = self._edges(plan.base, needed)
        aliases = _aliases(plan.base, edges, self.tables)
        rename = _renamer(aliases)
        projections = [_project(rename(o.expr), o.alias) for o in outputs]
        if period is not None:
            projections.insert(0, exp.alias_(exp.Literal.string(period), PERIOD))
        # The parts are fresh trees (renamed copies), so the builders need not copy them again.
        select = exp.select(*projections, copy=False).from_(self._table(plan.base, aliases),
                                                             copy=False)
        for edge in edges:
            select = select.join(self._table(edge.target, aliases), on=_on(edge, aliases),
                                 join_type="inner", copy=False)
        if where:
            select = select.where(exp.and_(*(rename(w) for w in where), copy=False),
                                  copy=False)
        if plan.value is not None and plan.groups and not plan.columns:
            keys = [rename(k) for g in plan.groups for k in (g.expr, *g.keys)]
            select = select.group_by(*keys, copy=False)
        if plan.having is not None:
            select = select.having(rename(plan.having), copy=False)
        return _finish(select, plan, rename, period)

    def _edges(self, base: str, needed: set[str]) -> list[Edge]:
        edges: list[Edge] = []
        for entity in sorted(needed - {base}):
            path = self.graph.path(base, entity)
            if path is None:
                raise Declined(f"{entity} can't be joined to {base} along the layer's joins.")
            edges.extend(edge for edge in path if edge not in edges)
        return edges

    def _table(self, entity: str, aliases: dict[str, str] | None) -> exp.Table:
        table = exp.to_table(self.tables[entity], dialect=self.dialect)
        if aliases is not None:
            table.set("alias", exp.TableAlias(this=exp.to_identifier(aliases[entity])))
        return table


def _finish(select: exp.Select, plan: Plan, rename: _Rename, period: str | None
            ) -> exp.Select:
    """Counted groups, a period-over-period window, or the order and limit of the rows."""
    if plan.count_groups:
        return _count_of(select, plan)
    if plan.change is not None:
        return _change(select, plan)
    order = _order(plan, rename)
    if order and period is None:
        select = select.order_by(*order, copy=False)
    if plan.limit is not None:
        select = select.limit(plan.limit, copy=False)
    return select


def _count_of(select: exp.Select, plan: Plan) -> exp.Select:
    """How many groups were kept: ``SELECT COUNT(*) FROM (the grouped query)``."""
    alias = f"{plan.groups[0].alias}_count" if plan.groups else "count"
    return exp.select(exp.alias_(exp.Count(this=exp.Star()), alias), copy=False).from_(
        select.subquery("kept", copy=False), copy=False)


def _change(select: exp.Select, plan: Plan) -> exp.Select:
    """Each bucket's value, then its change (or growth in percent) against the bucket before;
    the first bucket has none (NULL)."""
    bucket_name, value_name = plan.groups[0].alias, (plan.value.alias if plan.value else "value")
    bucket, value = _named(bucket_name), _named(value_name)
    previous = exp.Window(this=exp.Anonymous(this="LAG", expressions=[value.copy()]),
                          order=exp.Order(expressions=[exp.Ordered(this=bucket.copy())]))
    delta: exp.Expr = exp.Sub(this=value.copy(), expression=previous)
    if plan.change == "growth":
        ratio = exp.Div(this=exp.Mul(this=exp.Literal.number("100.0"),
                                     expression=exp.Paren(this=delta)),
                        expression=exp.Nullif(this=previous.copy(),
                                              expression=exp.Literal.number(0)))
        delta = exp.Round(this=exp.Cast(this=ratio, to=exp.DataType.build("decimal(38, 6)")),
                          decimals=exp.Literal.number(2))
    return exp.select(bucket.copy(), value.copy(),
                      exp.alias_(delta, plan.change or "change"), copy=False).from_(
        select.subquery("buckets", copy=False), copy=False).order_by(
        exp.Ordered(this=bucket.copy()), copy=False)


def _order(plan: Plan, rename: _Rename) -> list[exp.Ordered]:
    def by(output: Output, desc: bool = False) -> exp.Ordered:
        return exp.Ordered(this=_named(output.alias), desc=desc)

    if plan.shape == "list":
        if plan.order_by is None:
            return []
        first = exp.Ordered(this=rename(plan.order_by), desc=plan.descending)
        ties = [by(c) for c in plan.columns[:1] if plan.limit is not None]
        return [first, *ties]
    if plan.value is None or not plan.groups:
        return []
    if plan.shape == "series":
        return [by(g) for g in plan.groups]
    return [by(plan.value, plan.descending), *(by(g) for g in plan.groups)]


def _named(alias: str) -> exp.Column:
    """An output column by name, quoted when its case matters (PostgreSQL folds the rest)."""
    return exp.column(exp.to_identifier(alias, quoted=alias != alias.lower()))


def _renamer(aliases: dict[str, str] | None) -> _Rename:
    def rename(tree: exp.Expr) -> exp.Expr:
        def swap(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Column) and node.table:
                qualifier = None if aliases is None else aliases.get(node.table)
                node = node.copy()
                node.set("table", exp.to_identifier(qualifier) if qualifier else None)
            return node

        return tree.transform(swap)

    return rename


def _project(expr: exp.Expr, alias: str) -> exp.Expr:
    if isinstance(expr, exp.Column) and expr.name == alias:
        return expr
    return exp.alias_(expr, exp.to_identifier(alias, quoted=alias != alias.lower()))


def _on(edge: Edge, aliases: dict[str, str] | None) -> exp.Expr:
    names = aliases or {}
    left = exp.column(_key(edge.source_column), table=names.get(edge.source))
    right = exp.column(_key(edge.target_column), table=names.get(edge.target))
    return left.eq(right)


def _key(column: str) -> exp.Identifier:
    """A join column as the layer names it: quoted when its case matters (PostgreSQL)."""
    bare = column.strip('"`')
    return exp.to_identifier(bare, quoted=bare != bare.lower())


def _aliases(base: str, edges: list[Edge], tables: dict[str, str]) -> dict[str, str] | None:
    """Short aliases from table names (order_items -> oi), or None for a one-table query."""
    if not edges:
        return None
    aliases: dict[str, str] = {}
    for entity in [base, *(edge.target for edge in edges)]:
        name = tables[entity].split(".")[-1].strip('"`[]')  # quoted names: "Track" -> T
        short = "".join(part[0] for part in name.split("_") if part[:1].isalpha()) or "t"
        candidate, n = short, 1
        while candidate in aliases.values():
            n += 1
            candidate = f"{short}{n}"
        aliases[entity] = candidate
    return aliases
