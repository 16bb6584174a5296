"""What a question measures: a metric (verbatim, or composed from its parts), a measure, a
count of an entity's rows or of a dimension's distinct values.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from atlas_query.planner import synonyms as syn
from atlas_query.planner.choices import Chooser, plural, singular
from atlas_query.planner.expressions import LayerSql
from atlas_query.planner.intent import Intent
from atlas_query.planner.metrics import MetricAnalyzer, MetricParts, same_breakdown
from atlas_query.planner.operators import aggregate_expr, column_aggregate, kind_words
from atlas_query.planner.plan import Declined, Output, Value
from atlas_query.planner.thresholds import divisor
from atlas_query.planner.time import Grain
from atlas_query.semantic import Metric


@dataclass
class Measured:
    base: str | None
    value: Value | None
    subject: str
    metric: Metric | None = None
    parts: MetricParts | None = None


class Measures:
    def __init__(self, metrics: list[Metric], sql: LayerSql, analyzer: MetricAnalyzer,
                 chooser: Chooser) -> None:
        self.sql = sql
        self.chooser = chooser
        self.metrics = {m.id: m for m in metrics}
        self.parts = {m.id: analyzer.parts(m) for m in metrics}

    def measured(self, intent: Intent) -> Measured:
        target = intent.target
        unit = intent.reading.unit
        if unit is not None and (target is None or target.kind == "metric"):
            raise Declined(f"I can't show that in {unit}.")  # a metric is shown as defined
        if target is not None and target.kind == "metric":
            return self._metric(self.metrics[target.name])
        if target is not None and unit is not None:
            return self._in_unit(target.entity or "", target.name, unit)
        if target is not None:
            return self._measure(target.entity or "", target.name)
        if intent.distinct:
            return self._distinct(intent)
        if intent.unique:
            return self._unique(intent.unique, intent)
        subject = intent.subject or ""
        noun = plural(subject)
        if intent.listing:
            return Measured(subject, None, noun)
        return Measured(subject, self.count(subject), noun)

    def _metric(self, metric: Metric) -> Measured:
        parts = self.parts[metric.id]
        label = metric.label or metric.id.replace("_", " ")
        if parts is None:
            return Measured(None, None, label, metric, None)
        value = Value(parts.value, parts.alias, label, unit=metric.unit)
        return Measured(parts.base, value, label, metric, parts)

    def _measure(self, entity: str, name: str) -> Measured:
        if column_aggregate(name) is not None:
            return self._column_aggregate(entity, name)
        expr = self.sql.measure_expr(entity, name)
        if expr is None:
            raise Declined(f"The SQL of measure {entity}.{name} does not parse.")
        words = syn.name_words(name)
        unit = "cents" if "cents" in words else ("USD" if "usd" in words else None)
        label = " ".join(w for w in words if w not in ("cents", "usd"))
        return Measured(entity, Value(expr, name, label, unit=unit), label)

    def _in_unit(self, entity: str, name: str, unit: str) -> Measured:
        """"Average track length in minutes": an aggregate of a column whose name says its
        unit (milliseconds), or a fraction shown in percent; anything else is declined."""
        found = column_aggregate(name)
        if found is None:
            measure = self.sql.measure(entity, name)
            columns = [d.name for d in self.sql.entity(entity).dimensions
                       if (measure.sql or "").strip() in (d.name, d.expression)]
            kinds = ("sum", "avg", "min", "max")
            found = (measure.type, columns[0]) if columns and measure.type in kinds else None
        factor = divisor(self.sql.dimension(entity, found[1]), unit) if found else None
        if found is None or factor is None:
            raise Declined(f"I don't know how to show that in {unit}.")
        measured = self._column_aggregate(entity, f"{found[0]}:{found[1]}", factor)
        if measured.value is not None:
            label = f"{measured.value.label} ({unit})"
            measured.value = Value(measured.value.expr, measured.value.alias, label, unit=unit)
        return measured

    def _column_aggregate(self, entity: str, name: str, factor: float | None = None
                          ) -> Measured:
        kind, column = column_aggregate(name) or ("", "")
        inner = self.sql.dimension_expr(entity, column)
        expr = aggregate_expr(kind, inner, self.sql.dialect, factor) \
            if inner is not None else None
        if expr is None:
            raise Declined(f"I can't compute the {kind_words(kind)} of {column} on this "
                           "database.")
        label = f"{kind_words(kind)} {' '.join(syn.name_words(column))}"
        return Measured(entity, Value(expr, f"{kind}_{column}", label), label)

    def _unique(self, counted: str, intent: Intent) -> Measured:
        """Distinct keys of ``counted`` over the rows of the one entity the question is
        otherwise about: named, or owning its groups, filters and time column."""
        key = self.sql.single_key(counted)
        if key is None:
            raise Declined(f"{counted} has no single key to count distinct values of.")
        owners = {r.entity or r.name for role in intent.roles if role.kind != "unique"
                  for r in role.mention.refs if r.kind in ("entity", "dimension", "value")}
        owners |= {intent.unique_over} if intent.unique_over else set()
        bases = [e for e in sorted(owners) if self.chooser.graph.path(e, counted) is not None]
        if len(bases) > 1 or (owners and not bases):
            raise Declined(f"I can't tell over which rows to count unique {plural(counted)}.")
        base = bases[0] if bases else counted
        metric = self._metric_counting(base, counted)
        if metric is not None:  # "unique users who bought": the layer's buyers metric
            return self._metric(metric)
        expr = exp.Count(this=exp.Distinct(expressions=[self.sql.column(counted,
                                                                        key.expression)]))
        label = f"unique {plural(counted)}"
        return Measured(base, Value(expr, f"{singular(counted)}_count", label), label)

    def _metric_counting(self, base: str, counted: str) -> Metric | None:
        """A metric built on ``base``'s count of distinct references to ``counted``: the
        layer's definition of that count (ADR 0004: a measure with a metric means it)."""
        path = self.chooser.graph.path(base, counted)
        if not path or len(path) != 1:
            return None
        column = path[0].source_column
        for metric in self.metrics.values():
            source = metric.source
            if source is None or source.entity != base:
                continue
            measure = next((m for m in self.sql.entity(base).measures
                            if m.name == source.measure), None)
            if measure is not None and measure.type == "count_distinct" \
                    and (measure.sql or "").strip() == column:
                return metric
        return None

    def _distinct(self, intent: Intent) -> Measured:
        named = {r.name for role in intent.entity_roles for r in role.mention.of("entity")}
        refs = [r for r in intent.distinct if r.entity in named] or intent.distinct
        entities = {r.entity or "" for r in refs}
        if len(entities) != 1:
            raise Declined(f"Distinct values of which table: {', '.join(sorted(entities))}?")
        ref = refs[0]
        column = self.chooser.dimension_output(ref)
        expr = exp.Count(this=exp.Distinct(expressions=[column.expr]))
        label = f"distinct {column.label} values"
        return Measured(ref.entity, Value(expr, f"{ref.name}_count", label), label)

    def count(self, entity: str) -> Value:
        """The entity's own count measure over its key, else COUNT(*): an entity whose key
        spans several columns is counted by rows, never by one key column."""
        key = self.sql.single_key(entity)
        for measure in self.sql.entity(entity).measures:
            if measure.type in ("count", "count_distinct") and key is not None \
                    and measure.sql in (key.name, key.expression):
                expr = self.sql.measure_expr(entity, measure.name)
                if expr is not None:
                    return Value(expr, f"{singular(entity)}_count", plural(entity))
        return Value(exp.Count(this=exp.Star()), f"{singular(entity)}_count", plural(entity))

    def breakdown(self, parts: MetricParts, group: Output, grain: Grain | None,
                  time_column: exp.Expr | None) -> Metric | None:
        """A breakdown metric that is exactly ``parts`` grouped by ``group``."""
        for metric_id, other in self.parts.items():
            if other is None or len(other.groups) != 1 or not same_breakdown(parts, other):
                continue
            expr = other.groups[0][0]
            if grain is not None and time_column is not None:
                if grain_of(expr) == (grain, time_column.sql()):
                    return self.metrics[metric_id]
            elif grain is None and expr.sql() == group.expr.sql():
                return self.metrics[metric_id]
        return None


_FORMATS = {"%Y-%m": "month", "%Y": "year", "%Y-%m-%d": "day"}


def grain_of(expr: exp.Expr) -> tuple[str, str] | None:
    """The time grain and column of a bucket expression, as a breakdown metric writes it."""
    trunc = expr.find(exp.TimestampTrunc, exp.DateTrunc)
    if trunc is not None:
        unit = trunc.args.get("unit")
        return (unit.name.lower() if unit is not None else "", trunc.this.sql())
    formatted = expr.find(exp.TimeToStr)
    if formatted is not None:
        fmt = formatted.args.get("format")
        grain = _FORMATS.get(fmt.name if fmt is not None else "")
        return (grain, formatted.this.sql()) if grain else None
    if isinstance(expr, exp.Cast) and expr.to.is_type("date"):
        return ("day", expr.this.sql())
    return None
