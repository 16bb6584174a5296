"""Layer 5: every table a query reads is a table of the semantic layer.

Names are compared the way the database resolves them: PostgreSQL folds unquoted names to
lower case and keeps quoted ones; DuckDB and SQLite ignore case; MySQL keeps the case of table
and database names, quoted or not (they are file names on Linux, so ``ORDERS`` may be another
table: compared exactly, it is refused, fail closed). Qualification must match the layer,
with one allowance: a layer table named without a schema may also be written qualified with
the datasource's default schema, where a bare name resolves (``public.orders`` on
PostgreSQL, or the first schema of the datasource URL's ``search_path``; ``main.orders`` on
DuckDB and SQLite; the URL's database on MySQL); any other schema, and any catalog, is still
outside the layer. A bare name is a CTE only inside that CTE's scope: the CTEs listed before
it in the same ``WITH`` (and itself with ``RECURSIVE``), so ``WITH pg_user AS (SELECT * FROM
pg_user)`` still reads the real catalog and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from atlas_query.guard.errors import Refusal
from atlas_query.guard.functions import DialectName

TableKey = tuple[str | None, str | None, str]  # (catalog, schema, name), normalised
DEFAULT_SCHEMA: dict[DialectName, str] = {"postgres": "public", "duckdb": "main",
                                          "sqlite": "main"}
Scoped = tuple[exp.Expr, frozenset[str]]  # a node and the CTE names visible from it


@dataclass(frozen=True)
class TableRef:
    """One place in the tree where a layer table is read."""

    node: exp.Table
    layer_table: str


class Whitelist:
    def __init__(self, layer_tables: list[str], dialect: DialectName,
                 default_schema: str | None = None) -> None:
        self.dialect = dialect
        self._tables: dict[TableKey, str] = {}
        for table in layer_tables:
            key = self.key(exp.to_table(table, dialect=dialect))
            if key is None:
                raise ValueError(f"semantic layer table {table!r} is not a table name")
            self._tables.setdefault(key, table)
        home_name = default_schema or DEFAULT_SCHEMA.get(dialect)
        if home_name is None:
            return  # MySQL without a database named: bare names only
        home = self.norm(exp.to_identifier(home_name))
        for (catalog, schema, name), table in list(self._tables.items()):
            if catalog is None and schema is None:  # an explicit layer entry wins
                self._tables.setdefault((None, home, name), table)

    def key(self, table: exp.Table) -> TableKey | None:
        """The normalised name of a named table; ``None`` for a table function."""
        if not isinstance(table.this, exp.Identifier):
            return None
        catalog, db = table.args.get("catalog"), table.args.get("db")
        return (self.norm(catalog), self.norm(db), self.norm(table.this) or "")

    def norm(self, ident: exp.Expr | None) -> str | None:
        if not isinstance(ident, exp.Identifier):
            return None if ident is None else ident.sql().lower()
        if self.dialect == "mysql":
            return str(ident.name)
        if self.dialect in ("duckdb", "sqlite") or not ident.quoted:
            return str(ident.name).lower()
        return str(ident.name)

    def match(self, key: TableKey) -> str | None:
        return self._tables.get(key)

    def references(self, tree: exp.Expr) -> list[TableRef]:
        """Every layer table the tree reads; refuses if it reads anything else."""
        refs: list[TableRef] = []
        outside: list[str] = []
        for table in real_tables(tree, self):
            if isinstance(table.this, exp.Func):
                continue  # a table function, vetted by the functions layer
            key = self.key(table)
            if key is None:  # a.b.c.d, $1, ?: not a name the layer can hold
                outside.append(table.sql(dialect=self.dialect))
                continue
            layer_table = self.match(key)
            if layer_table is None:
                outside.append(".".join(part for part in key if part))
            else:
                refs.append(TableRef(table, layer_table))
        if outside:
            names = ", ".join(dict.fromkeys(outside))
            raise Refusal("whitelist", f"Not in the semantic layer: {names}")
        return refs


def real_tables(tree: exp.Expr, whitelist: Whitelist) -> list[exp.Table]:
    """Every ``exp.Table`` that is not a reference to a CTE in scope (iterative: deep trees
    must not exhaust the stack)."""
    found: list[exp.Table] = []
    stack: list[Scoped] = [(tree, frozenset())]
    while stack:
        node, ctes = stack.pop()
        if isinstance(node, exp.Table) and not _is_cte(node, ctes, whitelist):
            found.append(node)
        with_ = node.args.get("with_") if isinstance(node, exp.Query) else None
        if isinstance(with_, exp.With):
            ctes = _push_ctes(with_, ctes, stack, whitelist)
        stack.extend((child, ctes) for child in node.iter_expressions() if child is not with_)
    return found


def _push_ctes(with_: exp.With, ctes: frozenset[str], stack: list[Scoped],
               whitelist: Whitelist) -> frozenset[str]:
    visible = set(ctes)
    for cte in with_.expressions:
        name = whitelist.norm(cte.args["alias"].this) or ""
        scope = visible | {name} if with_.args.get("recursive") else set(visible)
        stack.append((cte.this, frozenset(scope)))
        visible.add(name)
    return frozenset(visible)


def _is_cte(table: exp.Table, ctes: frozenset[str], whitelist: Whitelist) -> bool:
    if table.args.get("db") is not None or table.args.get("catalog") is not None:
        return False
    return isinstance(table.this, exp.Identifier) and whitelist.norm(table.this) in ctes
