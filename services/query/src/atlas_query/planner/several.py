"""Several measures in one question: "number of orders and total order value by year",
"average and maximum account balance by market segment".

The question is planned as two questions that share everything but the measure: the words
before "and" with the rest of the question after the second measure, and the words after
"and". Both must plan on their own, on the same rows, with the same groups, filters, range and
grain; then one query returns both values. Anything else stays declined: half an answer, or
two answers over different rows, would be a wrong answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from atlas_query.planner.plan import Ambiguous, Declined, Plan

_AND = re.compile(r"\s+and\s+", re.I)
_MAX_MEASURE_WORDS = 6
_SHAPES = ("number", "breakdown", "series")


def plan_several(question: str, plan_of: Callable[[str], Plan]) -> Plan | None:
    """The two measures' plan as one, or None when the question does not split that way."""
    splits = list(_AND.finditer(question))
    if len(splits) != 1:
        return None
    head, rest = question[:splits[0].start()], question[splits[0].end():]
    second = _try(plan_of, rest)
    if second is None or not _plain(second):
        return None
    words = rest.split()
    for cut in range(1, min(_MAX_MEASURE_WORDS, len(words)) + 1):
        first = _try(plan_of, " ".join([head, *words[cut:]]))
        if first is not None and _plain(first) and _same_rows(first, second):
            first.extra = [second.value] if second.value is not None else []
            return first
    return None


def _try(plan_of: Callable[[str], Plan], question: str) -> Plan | None:
    try:
        return plan_of(question)
    except (Declined, Ambiguous):
        return None


def _plain(plan: Plan) -> bool:
    return (plan.shape in _SHAPES and plan.value is not None and plan.verbatim_sql is None
            and plan.having is None and not plan.count_groups and not plan.extra
            and plan.limit is None)


def _same_rows(first: Plan, second: Plan) -> bool:
    """The same base rows, groups, filters, range and grain, and two different values."""
    def key(plan: Plan) -> tuple[object, ...]:
        return (plan.base, [g.expr.sql() for g in plan.groups],
                sorted(f.sql() for f in plan.filters), plan.ranges, plan.bucket, plan.shape,
                plan.time.column.sql() if plan.time else None)

    values = [p.value.expr.sql() for p in (first, second) if p.value is not None]
    return key(first) == key(second) and values[0] != values[1]
