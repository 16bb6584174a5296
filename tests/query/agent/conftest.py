"""Fixtures of the agent's unit tests: a real demo DuckDB, the real guard, a recording context."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from atlas_common.messages import BusMessage, HistoryTurn, QueryRequested
from atlas_common.principal import Principal
from atlas_common.stream_events import StreamEvent
from atlas_query.answer.context import AnswerContext
from atlas_query.demo import SEMANTIC_ROOT, generate_demo
from atlas_query.executors.duckdb import DuckDBExecutor
from atlas_query.guard.guard import SqlGuard
from atlas_query.semantic import SemanticLayer, load_semantic_layer
from atlas_query.settings import QuerySettings
from atlas_query.worker.sql_runner import GuardedSqlRunner

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agent") / "demo.duckdb"
    generate_demo(path, NOW)
    return path


@pytest.fixture(scope="session")
def layer() -> SemanticLayer:
    return load_semantic_layer(SEMANTIC_ROOT)


@pytest.fixture(scope="session")
def runner(demo_db: Path, layer: SemanticLayer) -> Iterator[GuardedSqlRunner]:
    settings = QuerySettings(ATLAS_DATASOURCE_URL=str(demo_db))
    executor = DuckDBExecutor(demo_db, row_limit=settings.row_limit, timeout_ms=5000)
    yield GuardedSqlRunner(SqlGuard(layer, "duckdb", settings), executor)


def scalar(demo_db: Path, sql: str) -> object:
    """An independent answer, straight from the file."""
    with duckdb.connect(":memory:") as con:  # the executor holds the file open in-process
        con.execute(f"ATTACH '{demo_db}' AS demo (READ_ONLY)")
        con.execute("USE demo")
        row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


@dataclass
class Recorded:
    ctx: AnswerContext
    events: list[StreamEvent] = field(default_factory=list)
    published: list[BusMessage] = field(default_factory=list)

    def of(self, kind: str) -> list[StreamEvent]:
        return [e for e in self.events if e.type == kind]

    @property
    def text(self) -> str:
        return "".join(e.delta for e in self.events if e.type == "text-delta")

    async def publish(self, message: BusMessage) -> None:
        self.published.append(message)


Record = Callable[..., Recorded]


@pytest.fixture
def record(runner: GuardedSqlRunner) -> Record:
    def make(question: str, history: tuple[HistoryTurn, ...] = ()) -> Recorded:
        job = QueryRequested(
            request_id="req-1",
            question=question,
            principal=Principal(user_id="u-1", workspace_id="ws-1", role="analyst"),
            history=history,
            deadline=time.time() + 60,
        )
        recorded: Recorded

        async def emit(event: StreamEvent) -> int:
            recorded.events.append(event)
            return len(recorded.events)

        recorded = Recorded(AnswerContext(job=job, emit=emit, run_sql=runner))
        return recorded

    return make
