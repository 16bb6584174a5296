"""SQL as the answerers run it: through the guard, then the executor, as a JSON-safe result.

Each statement the guard passed goes to the job's audit trail as it runs (rewritten), with the
tables it reads and then the rows it returned (``worker.audit``)."""

from __future__ import annotations

from typing import Any

from atlas_common.messages import QueryRequested
from atlas_common.tracing import db_call, step
from atlas_query.errors import GuardRefused
from atlas_query.executors.base import Executor
from atlas_query.guard.guard import SqlGuard
from atlas_query.worker.audit import rows_returned, statement_checked

#: The semantic conventions' db.system names, where a dialect's name differs.
_DB_SYSTEMS = {"postgres": "postgresql"}


class GuardedSqlRunner:
    def __init__(self, guard: SqlGuard, executor: Executor) -> None:
        self._guard = guard
        self._executor = executor

    async def __call__(self, sql: str, job: QueryRequested) -> dict[str, Any]:
        with step("guard"):
            verdict = self._guard.check(sql, job.principal)
        if not verdict.valid or verdict.rewritten_sql is None:
            reasons = "; ".join(f"{e.layer}: {e.message}" for e in verdict.errors)
            raise GuardRefused(f"The SQL was refused by the guard ({reasons})")
        system = _DB_SYSTEMS.get(self._executor.dialect, self._executor.dialect)
        statement_checked(verdict.rewritten_sql, verdict.tables)
        with db_call(system, "SELECT", verdict.rewritten_sql):
            result = await self._executor.execute(verdict.rewritten_sql)
        rows_returned(len(result.rows))
        return {
            "columns": [c.name for c in result.columns],
            "columnTypes": [c.type for c in result.columns],
            "rows": result.rows,
            "truncated": result.truncated,
        }

__all__ = ["GuardRefused", "GuardedSqlRunner"]
