"""Layer 4a: a read-only SELECT, and nothing that writes or changes the session inside it.

The top of the tree must be a SELECT or a set operation (UNION / INTERSECT / EXCEPT) of
SELECTs; anywhere below it, statements that sqlglot can nest (a DELETE in a CTE, SELECT INTO,
FOR UPDATE) are refused. Statements sqlglot does not model become ``Command`` and are refused.

MySQL adds session state a SELECT can read or write: user variables (``@x``, ``@x := 1``)
and system variables (``@@version``, ``@@global.x``) are refused there. (``INTO OUTFILE`` /
``DUMPFILE`` does not parse and ``HANDLER`` is not a SELECT: both are refused earlier.)
"""

from __future__ import annotations

from sqlglot import exp

from atlas_query.guard.errors import Refusal

_TOP_LEVEL = (exp.Select, exp.SetOperation)

_DENIED: tuple[type[exp.Expr], ...] = (
    exp.DML, exp.DDL, exp.Merge, exp.Copy, exp.Command,
    exp.Alter, exp.Drop, exp.TruncateTable, exp.Comment, exp.Grant, exp.Revoke,
    exp.Set, exp.Pragma, exp.Use, exp.Attach, exp.Detach, exp.Install, exp.LoadData,
    exp.Transaction, exp.Commit, exp.Rollback, exp.Analyze, exp.Describe, exp.Show,
    exp.Summarize, exp.Kill, exp.Refresh, exp.Cache, exp.Export, exp.Put, exp.Get,
    exp.Execute, exp.ExecuteSql, exp.Declare, exp.StoredProcedure, exp.UserDefinedFunction,
    exp.LockingStatement, exp.NextValueFor,
    exp.Into, exp.Lock,
)


_SESSION_STATE: dict[str, tuple[type[exp.Expr], ...]] = {
    "mysql": (exp.Parameter, exp.SessionParameter, exp.PropertyEQ),
}


def check_read_only(tree: exp.Expr, dialect: str = "postgres") -> None:
    top = tree.unnest() if isinstance(tree, exp.Subquery) else tree
    if not isinstance(top, _TOP_LEVEL):
        raise Refusal("readonly", f"Only read-only SELECT queries are allowed; got {_name(top)}")
    session = _SESSION_STATE.get(dialect, ())
    for node in tree.walk():
        if isinstance(node, _DENIED):
            raise Refusal("readonly", f"{_name(node)} is not allowed in a read-only query")
        if isinstance(node, session):
            raise Refusal("readonly", f"Session variables ({node.sql(dialect)}) are not "
                                      "allowed")


def _name(node: exp.Expr) -> str:
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, exp.Into):
        return "SELECT INTO"
    if isinstance(node, exp.Lock):
        return "a locking clause (FOR UPDATE / FOR SHARE)"
    return node.key.upper()
