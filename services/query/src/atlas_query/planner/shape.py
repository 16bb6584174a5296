"""The shape of an answer (single number, time series, breakdown, top-N, comparison, list),
and with it the order and the limit of its rows."""

from __future__ import annotations

from atlas_query.planner import synonyms as syn
from atlas_query.planner.expressions import LayerSql
from atlas_query.planner.intent import Intent
from atlas_query.planner.plan import Ambiguous, Clarify, Declined, Output, Plan, Shape
from atlas_query.planner.reading import Mention, Ranking
from atlas_query.planner.time import TimeSpec
from atlas_query.semantic import Dimension


def decide_shape(plan: Plan, intent: Intent, spec: TimeSpec, sql: LayerSql,
                 default_top: int) -> None:
    ranking = intent.reading.ranking
    if plan.verbatim_sql is not None:
        plan.shape = _verbatim_shape(plan)
    elif intent.listing:
        _listing(plan, sql, ranking, default_top)
    elif spec.compare:
        plan.shape = "comparison"
    elif ranking is not None:
        if not plan.groups:
            raise Declined("The question ranks something, but I can't tell what to rank: "
                           "say what to break it down by.")
        plan.shape = "top"
        plan.descending = ranking.descending
        plan.limit = _limit(ranking, intent, spec, default_top)
    elif plan.bucket is not None:
        plan.shape = "series"
    else:
        plan.shape = "breakdown" if plan.groups else "number"


def _verbatim_shape(plan: Plan) -> Shape:
    if not plan.groups:
        return "number"
    sql = plan.groups[0].expr.sql().lower()
    timeish = any(word in sql for word in ("trunc", "strftime", "time_to_str", "date"))
    return "series" if timeish else "breakdown"


def _limit(ranking: Ranking, intent: Intent, spec: TimeSpec, default_top: int) -> int | None:
    if ranking.limit is not None:
        return ranking.limit
    if ranking.head:
        return default_top
    singular = spec.which or any(_singular(intent, role.mention) for role in intent.groups
                                 if role.which)
    return 1 if singular else None


def _singular(intent: Intent, mention: Mention) -> bool:
    last = intent.reading.tokens[mention.end - 1]
    return last.text == last.stem and not last.text.endswith("s")


def _listing(plan: Plan, sql: LayerSql, ranking: Ranking | None, default_top: int) -> None:
    plan.shape = "list"
    entity = plan.base
    key = sql.primary_key(entity)
    order = list(plan.groups)
    plan.groups = []
    if order:
        if ranking is None or len(order) != 1 or not _numeric_of(order[0], entity, sql):
            raise Declined("I can list rows, or count them by a column, but not both at once.")
        label = sql.label_dimension(entity)
        columns = [label] if label is not None else []
        plan.columns = [_output(entity, d, sql) for d in columns] + [order[0]]
        plan.order_by = order[0].expr
        plan.descending = ranking.descending
        plan.limit = ranking.limit or default_top
        return
    if ranking is not None:
        raise Ambiguous(_top_by_what(entity, sql))
    plan.columns = [_output(entity, d, sql) for d in sql.entity(entity).dimensions
                    if not d.virtual]
    plan.order_by = sql.column(entity, key.expression) if key is not None else None
    plan.descending = False
    plan.limit = ranking.limit if ranking is not None else None


def _top_by_what(entity: str, sql: LayerSql) -> Clarify:
    """"Top 5 customers" ranks by something the question does not say: ask, never rank by
    the key."""
    words = " ".join(syn.name_words(entity))
    options = list(dict.fromkeys(" ".join(syn.name_words(m.name)) for m in
                                 sql.entity(entity).measures
                                 if m.type not in ("count", "count_distinct")))[:4]
    ask = f"Ranked by what? Say what to rank each {words} by"
    ask += f", for example {' or '.join(options)}." if options else "."
    return Clarify(f"top {words}", options, ask)


def _numeric_of(output: Output, entity: str, sql: LayerSql) -> bool:
    dims = [d for d in sql.entity(entity).dimensions if d.name == output.alias]
    return bool(dims) and dims[0].type == "number"


def _output(entity: str, dimension: Dimension, sql: LayerSql) -> Output:
    expr = sql.dimension_expr(entity, dimension.name)
    if expr is None:
        raise Declined(f"The SQL of dimension {entity}.{dimension.name} does not parse.")
    return Output(expr, dimension.name, dimension.name.replace("_", " "))
