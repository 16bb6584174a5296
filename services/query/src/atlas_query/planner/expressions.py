"""The layer's SQL snippets (dimensions, measures) as sqlglot trees, parsed once.

Every column in a tree is qualified with its entity's *name* (``Orders.status``); the
compiler later swaps names for table aliases. Snippets are parsed in the datasource's dialect,
as the format says, and never edited as text.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from atlas_query.semantic import Dimension, Entity, Measure

TIME_TYPES = ("timestamp", "date")


class LayerSql:
    def __init__(self, entities: list[Entity], dialect: str) -> None:
        self.dialect = dialect
        self._entities = {e.name: e for e in entities}
        self.entities = list(self._entities)

    def entity(self, name: str) -> Entity:
        return self._entities[name]

    def dimension(self, entity: str, name: str) -> Dimension:
        return next(d for d in self._entities[entity].dimensions if d.name == name)

    def measure(self, entity: str, name: str) -> Measure:
        return next(m for m in self._entities[entity].measures if m.name == name)

    def parse(self, sql: str, entity: str) -> exp.Expr | None:
        """``sql`` as a tree with its bare columns qualified by ``entity``; None if it does
        not parse."""
        tree = _parse(sql, self.dialect)
        return None if tree is None else qualify(tree.copy(), entity)

    def dimension_expr(self, entity: str, name: str) -> exp.Expr | None:
        return self.parse(self.dimension(entity, name).expression, entity)

    def column(self, entity: str, column: str) -> exp.Column:
        """A column by its layer name; a quoted name (PostgreSQL's "GenreId") stays quoted."""
        bare = column.strip('"`')
        quoted = bare != column or bare != bare.lower()
        return exp.column(exp.to_identifier(bare, quoted=quoted), table=entity)

    def measure_expr(self, entity: str, name: str) -> exp.Expr | None:
        """The aggregate a measure stands for: ``COUNT``, ``SUM``... over its ``sql``."""
        measure = self.measure(entity, name)
        inner = self.parse(measure.sql or "*", entity) if measure.sql else exp.Star()
        if inner is None:
            return None
        return aggregate(measure.type or "count", inner)

    def primary_key(self, entity: str) -> Dimension | None:
        return next((d for d in self._entities[entity].dimensions if d.primary_key), None)

    def single_key(self, entity: str) -> Dimension | None:
        """The primary key when it is one column; None for none or a composite key (whose
        first column alone does not identify a row)."""
        keys = [d for d in self._entities[entity].dimensions if d.primary_key]
        return keys[0] if len(keys) == 1 else None

    def time_dimensions(self, entity: str) -> list[Dimension]:
        return [d for d in self._entities[entity].dimensions
                if d.type in TIME_TYPES and not d.virtual]

    def name_pair(self, entity: str) -> tuple[Dimension, Dimension] | None:
        """A person's first and last name, when the entity has no single name column."""
        found = {d.name.lower().replace("_", ""): d for d in self._entities[entity].dimensions
                 if d.type in ("string", None) and not d.virtual}
        first, last = found.get("firstname"), found.get("lastname")
        return (first, last) if first is not None and last is not None else None

    def label_dimension(self, entity: str) -> Dimension | None:
        """What names a row of the entity: a string dimension called name, title or label."""
        for dimension in self._entities[entity].dimensions:
            if dimension.type in ("string", None) and not dimension.virtual and (
                    dimension.name.lower() in ("name", "title", "label")
                    or dimension.name.lower().endswith("_name")):
                return dimension
        return None


def aggregate(kind: str, inner: exp.Expr) -> exp.Expr:
    if kind == "count_distinct":
        return exp.Count(this=exp.Distinct(expressions=[inner]))
    if kind == "count_where":
        return exp.Count(this=exp.Case(ifs=[exp.If(this=inner, true=exp.Literal.number(1))]))
    functions: dict[str, type[exp.Func]] = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min,
                                            "max": exp.Max}
    return functions.get(kind, exp.Count)(this=inner)


def qualify(tree: exp.Expr, entity: str) -> exp.Expr:
    for column in list(tree.find_all(exp.Column)):
        if not column.table:
            column.set("table", exp.to_identifier(entity))
    return tree


@cache
def _parse(sql: str, dialect: str) -> exp.Expr | None:
    try:
        return sqlglot.parse_one(sql, read=dialect)
    except SqlglotError:
        return None


def entities_in(tree: exp.Expr) -> set[str]:
    """The entity names that qualify the columns of ``tree``."""
    return {column.table for column in tree.find_all(exp.Column) if column.table}
