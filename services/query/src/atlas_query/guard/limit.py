"""Layer 7: an automatic LIMIT of ``ATLAS_ROW_LIMIT + 1`` rows.

One row more than the limit lets the executor tell a result that was cut (it got
``row_limit + 1`` rows, returns ``row_limit`` and says ``truncated``) from one that fits
exactly. A smaller LIMIT the query already has is kept; a larger one is lowered. A limit that
is not a plain number (``LIMIT ALL``, a percentage, ``WITH TIES``, an expression) is left
alone and the whole query is wrapped in an outer ``SELECT * ... LIMIT``.
"""

from __future__ import annotations

from sqlglot import exp

WRAP_ALIAS = "_atlas_limited"


def apply_limit(tree: exp.Expr, cap: int) -> exp.Expr:
    while isinstance(tree, exp.Subquery) and not any(
        value for key, value in tree.args.items() if key != "this"
    ):
        tree = tree.this  # bare parentheses around the whole query
    if isinstance(tree, exp.Select | exp.SetOperation):
        current = tree.args.get("limit")
        if current is None:
            tree.set("limit", exp.Limit(expression=exp.Literal.number(cap)))
            return tree
        count = _plain_count(current)
        if count is not None:
            if count > cap:
                _set_count(current, cap)
            return tree
    assert isinstance(tree, exp.Query)  # the readonly layer let only queries through
    return exp.select("*").from_(tree.subquery(WRAP_ALIAS)).limit(cap)


def _plain_count(limit: exp.Expr) -> int | None:
    options = limit.args.get("limit_options")
    if options is not None and (options.args.get("percent") or options.args.get("with_ties")):
        return None
    value = limit.args.get("expression" if isinstance(limit, exp.Limit) else "count")
    if isinstance(value, exp.Literal) and value.is_int:
        return int(value.this)
    return None


def _set_count(limit: exp.Expr, cap: int) -> None:
    limit.set("expression" if isinstance(limit, exp.Limit) else "count", exp.Literal.number(cap))
