"""Shares and rates: "what share of orders are urgent", "return rate by ship mode", "share of
total order value by market segment".

The question's own filters become the part, and the rows without them the whole: a count
becomes the percentage of rows that pass (``100 * AVG(CASE WHEN ... THEN 1 ELSE 0 END)``), a
sum the percentage of the amount that passes. With no filter but groups, each group's part of
the total (a window over the groups). A metric is declined: its definition is one total, and
the layer writes its own rates as metrics when it has them.
"""

from __future__ import annotations

from sqlglot import exp

from atlas_query.planner.plan import Declined, Plan, Value


def share_of(plan: Plan) -> None:
    value = plan.value
    if value is None or plan.metric is not None or plan.having is not None \
            or plan.count_groups or plan.columns:
        raise Declined("I can give a share of a count or of a total of rows, not of this.")
    if len(plan.filters) > 1:  # "share of German customers in building": which is the part?
        raise Declined("The question has several conditions; I can't tell which one is the "
                       "part and which the whole.")
    if plan.filters:
        part = _part(value.expr, plan.filters[0])
        plan.filters = []
    elif plan.groups and isinstance(value.expr, exp.Sum | exp.Count):
        whole = exp.Window(this=exp.Sum(this=value.expr.copy()))
        part = exp.Div(this=_hundred(value.expr), expression=whole)
    else:
        raise Declined("A share needs a part: say which rows (a value) or a breakdown.")
    rounded = exp.Round(this=exp.Cast(this=part, to=exp.DataType.build("decimal(38, 6)")),
                        decimals=exp.Literal.number(2))
    label = f"share of {plan.subject} (%)"
    plan.value = Value(rounded, f"{value.alias}_share", label, unit="percent")


def _part(expr: exp.Expr, condition: exp.Expr) -> exp.Expr:
    if isinstance(expr, exp.Count):
        flag = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))],
                        default=exp.Literal.number(0))
        return exp.Mul(this=exp.Literal.number("100.0"), expression=exp.Avg(this=flag))
    if isinstance(expr, exp.Sum):
        inner = expr.this.copy()
        kept = exp.Case(ifs=[exp.If(this=condition, true=inner)], default=exp.Literal.number(0))
        return exp.Div(this=_hundred(exp.Sum(this=kept)), expression=expr.copy())
    raise Declined("I can give a share of a count or of a total, not of this measure.")


def _hundred(expr: exp.Expr) -> exp.Expr:
    return exp.Mul(this=exp.Literal.number("100.0"), expression=expr.copy())
