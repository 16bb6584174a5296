"""The SQL guard: every query, whoever wrote it, passes here before it runs.

Layers, in order; the first refusal stops the check and is reported with its layer:

1. ``empty``       nothing to run, or too long
2. ``statements``  exactly one statement; no comment hiding another
3. ``parse``       sqlglot parses it in the datasource's dialect
4. ``readonly``    a read-only SELECT, nothing that writes or changes the session
   ``functions``   only allowlisted functions
5. ``whitelist``   only tables of the semantic layer (CTE-aware)
6. ``rls``         row-level security filters injected, fail closed
7. ``limit``       an automatic LIMIT

What runs is ``rewritten_sql``: SQL generated from the checked tree, without comments, never
the text that came in. (8, the statement timeout, is enforced by the executors.)
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

from atlas_common.principal import Principal
from atlas_query.guard.errors import GuardError, Layer, Refusal
from atlas_query.guard.functions import DialectName, check_functions
from atlas_query.guard.limit import apply_limit
from atlas_query.guard.readonly import check_read_only
from atlas_query.guard.rls import RowLevelSecurity
from atlas_query.guard.statements import (
    check_not_empty,
    parse_statement,
    single_statement,
    tokenize,
)
from atlas_query.guard.whitelist import Whitelist
from atlas_query.semantic import SemanticLayer
from atlas_query.settings import QuerySettings

log = logging.getLogger(__name__)


class GuardResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    valid: bool
    errors: list[GuardError] = Field(default_factory=list)
    tables: list[str] = Field(default_factory=list)
    rewritten_sql: str | None = None


class SqlGuard:
    """Checks and rewrites SQL for one datasource. Build it once; :meth:`check` is pure."""

    def __init__(self, layer: SemanticLayer, dialect: DialectName,
                 settings: QuerySettings, *, default_schema: str | None = None) -> None:
        self.dialect = dialect
        self._sqlglot = Dialect.get_or_raise(dialect)
        self._whitelist = Whitelist(layer.tables, dialect, default_schema)
        self._rls = RowLevelSecurity(settings.effective_rls_policies(), self._whitelist,
                                     layer.tables)
        self.row_limit = settings.row_limit

    @property
    def governed_tables(self) -> list[str]:
        """The layer tables a row-level security policy filters."""
        return self._rls.governed_tables

    def check(self, sql: str, principal: Principal) -> GuardResult:
        tables: list[str] = []
        try:
            tree = self._parse(sql)
            check_read_only(tree, self.dialect)
            check_functions(tree, self.dialect)
            refs = self._whitelist.references(tree)
            tables = list(dict.fromkeys(ref.layer_table for ref in refs))
            self._rls.apply(refs, principal)
            tree = apply_limit(tree, self.row_limit + 1)
            rewritten = self._generate(tree)
        except Refusal as refusal:
            return GuardResult(valid=False, errors=[refusal.error], tables=tables)
        except RecursionError:
            return _refused("parse", "The SQL is too deeply nested", tables)
        except Exception:  # a bug in a layer or in sqlglot must refuse, never let SQL through
            log.exception("the SQL guard failed on a statement")
            return _refused("parse", "The guard could not check this SQL", tables)
        return GuardResult(valid=True, tables=tables, rewritten_sql=rewritten)

    def _parse(self, sql: str) -> exp.Expr:
        check_not_empty(sql)
        tokens = single_statement(tokenize(sql, self._sqlglot))
        return parse_statement(tokens, sql, self._sqlglot, self.dialect)

    def _generate(self, tree: exp.Expr) -> str:
        try:
            return tree.sql(dialect=self._sqlglot, comments=False)
        except SqlglotError as exc:
            raise Refusal("parse", f"Could not write the query back as {self.dialect}: "
                                   f"{exc}") from exc


def _refused(layer: Layer, message: str, tables: list[str]) -> GuardResult:
    return GuardResult(valid=False, errors=[GuardError(layer=layer, message=message)],
                       tables=tables)
