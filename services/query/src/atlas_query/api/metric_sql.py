"""A metric's SQL with the caller's dimensions and filters, built on the parsed tree.

Dimensions and filters name columns of the metric's source entity (its dimensions, by name);
the entity's own SQL for a dimension is what lands in the query, and every value is a literal
built by sqlglot, never text pasted into SQL. The result still goes through the guard.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from atlas_common.errors import InvalidRequest
from atlas_query.semantic import Entity

Value = str | int | float | bool | None


def compose(
    sql: str,
    dialect: str,
    entity: Entity | None,
    dimensions: list[str],
    filters: dict[str, Value | list[Value]],
) -> str:
    if not dimensions and not filters:
        return sql
    tree = _select(sql, dialect)
    columns = _columns(entity, dialect)
    grouped = [_known(columns, name).copy() for name in dimensions]
    projections = [g.as_(name) for g, name in zip(grouped, dimensions, strict=True)]
    tree.set("expressions", [*projections, *tree.expressions])
    if grouped:
        tree = tree.group_by(*grouped, copy=False)
    for name, value in filters.items():
        tree = tree.where(_condition(_known(columns, name).copy(), value), copy=False)
    return tree.sql(dialect=dialect)


def _select(sql: str, dialect: str) -> exp.Select:
    try:
        tree = sqlglot.parse_one(sql, dialect=dialect)
    except SqlglotError as exc:
        raise InvalidRequest(f"The metric's SQL does not parse: {exc}") from None
    if not isinstance(tree, exp.Select):
        raise InvalidRequest("Dimensions and filters apply only to a metric that is one SELECT")
    return tree


def _columns(entity: Entity | None, dialect: str) -> dict[str, exp.Expr]:
    if entity is None:
        raise InvalidRequest("This metric names no source entity: no dimensions or filters")
    return {d.name: sqlglot.parse_one(d.sql or d.name, dialect=dialect) for d in entity.dimensions}


def _known(columns: dict[str, exp.Expr], name: str) -> exp.Expr:
    column = columns.get(name)
    if column is None:
        raise InvalidRequest(
            f"{name!r} is not a column of the metric's entity", columns=sorted(columns)
        )
    return column


def _condition(column: exp.Expr, value: Any) -> exp.Expr:
    if value is None:
        return exp.Is(this=column, expression=exp.Null())
    if isinstance(value, list):
        return exp.In(this=column, expressions=[exp.convert(v) for v in value])
    return exp.EQ(this=column, expression=exp.convert(value))
