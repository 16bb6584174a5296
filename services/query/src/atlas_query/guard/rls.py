"""Layer 6: row-level security from settings and the principal's claims.

Every read of a governed table is replaced by a filtered derived table with the same alias::

    FROM orders o JOIN users u ...
    FROM (SELECT * FROM orders WHERE tenant_id = 'acme') AS o JOIN (SELECT * ...) AS u ...

so the filter holds in every scope the table appears in (joins on either side, subqueries,
CTEs, UNION branches, correlated subqueries) and outer joins keep their meaning, which a
predicate added to an outer ``WHERE`` would not. Fail closed: a missing or unusable claim,
or a read the rewrite cannot wrap, refuses the query.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sqlglot import exp

from atlas_common.principal import Principal
from atlas_query.guard.errors import Refusal
from atlas_query.guard.whitelist import TableRef, Whitelist
from atlas_query.settings import RlsPolicy

_PLAIN_COLUMN = re.compile(r"[a-z_][a-z0-9_]*")
_WRAPPABLE_PARENTS = (exp.From, exp.Join)


class RowLevelSecurity:
    def __init__(self, policies: list[RlsPolicy], whitelist: Whitelist,
                 layer_tables: list[str]) -> None:
        self._policies: dict[str, list[RlsPolicy]] = {}
        for policy in policies:
            for table in _governed(policy, whitelist, layer_tables):
                self._policies.setdefault(table, []).append(policy)

    @property
    def governed_tables(self) -> list[str]:
        return list(self._policies)

    def apply(self, refs: list[TableRef], principal: Principal) -> None:
        for ref in refs:
            policies = self._policies.get(ref.layer_table)
            if policies:
                conditions = [_condition(p, principal, ref.layer_table) for p in policies]
                _wrap(ref, exp.and_(*conditions))


def _governed(policy: RlsPolicy, whitelist: Whitelist, layer_tables: list[str]) -> list[str]:
    if "*" in policy.tables:
        return list(layer_tables)
    governed = []
    for table in policy.tables:
        key = whitelist.key(exp.to_table(table, dialect=whitelist.dialect))
        layer_table = whitelist.match(key) if key else None
        if layer_table is None:
            # A policy on a table the layer does not have is a typo that would leave the
            # intended table unfiltered: refuse to start.
            raise ValueError(f"RLS policy names table {table!r}, which is not in the layer")
        governed.append(layer_table)
    return governed


def _condition(policy: RlsPolicy, principal: Principal, table: str) -> exp.Expr:
    value = claim_value(principal.claims, policy.claim)
    if value is None:
        raise Refusal("rls", f"Row-level security on {table}: the claim {policy.claim!r} is "
                             "missing, so the table cannot be filtered")
    column = exp.column(exp.to_identifier(
        policy.column, quoted=not _PLAIN_COLUMN.fullmatch(policy.column)))
    if isinstance(value, list | tuple):
        if not value:
            raise Refusal("rls", f"Row-level security on {table}: the claim "
                                 f"{policy.claim!r} is an empty list")
        return column.isin(*(_literal(v, policy.claim, table) for v in value))
    return exp.EQ(this=column, expression=_literal(value, policy.claim, table))


def claim_value(claims: dict[str, Any], path: str) -> Any:
    """The claim at ``path``: a top-level key, else a dotted path into nested objects."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _literal(value: Any, claim: str, table: str) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, int | float) and math.isfinite(value):
        return exp.Literal.number(value)
    raise Refusal("rls", f"Row-level security on {table}: the claim {claim!r} holds a "
                         f"{type(value).__name__}, not a text or a number")


def _wrap(ref: TableRef, condition: exp.Expr) -> None:
    table = ref.node
    if not isinstance(table.parent, _WRAPPABLE_PARENTS) or any(
        table.args.get(arg) for arg in ("pivots", "joins", "laterals")
    ):
        raise Refusal("rls", f"Row-level security: {ref.layer_table} is read in a way the "
                             "filter cannot be applied to")
    alias = table.args.get("alias") or exp.TableAlias(this=table.this.copy())
    inner = table.copy()
    inner.set("alias", None)
    filtered = exp.select("*").from_(inner).where(condition)
    table.replace(exp.Subquery(this=filtered, alias=alias.copy()))
