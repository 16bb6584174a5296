"""``SemanticAnswerer.answer`` with a real ``AnswerContext``: the real SQL guard and a real
DuckDB executor on a generated demo database (fixed clock). What the wire gets for an
answer, a clarifying question and a "can't answer", follow-ups, time zones, and the
narrative templates."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import pytest_asyncio

from atlas_common.messages import HistoryTurn, QueryRequested
from atlas_common.principal import ANONYMOUS
from atlas_common.stream_events import StreamEvent
from atlas_query.answer.context import AnswerContext, SqlRunner
from atlas_query.executors.duckdb import DuckDBExecutor
from atlas_query.guard.guard import SqlGuard
from atlas_query.planner import SemanticAnswerer
from atlas_query.planner.narrative import narrate
from atlas_query.planner.planner import Planned, SemanticPlanner
from atlas_query.semantic import SemanticLayer
from atlas_query.settings import QuerySettings
from atlas_query.worker.sql_runner import GuardedSqlRunner
from tests.query.planner.conftest import DEMO_NOW


async def ask(answerer: SemanticAnswerer, runner: SqlRunner, question: str,
              history: Sequence[HistoryTurn] = ()) -> list[StreamEvent]:
    events: list[StreamEvent] = []

    async def emit(event: StreamEvent) -> int:
        events.append(event)
        return len(events)

    job = QueryRequested(request_id=uuid.uuid4().hex, question=question, principal=ANONYMOUS,
                         history=tuple(history), deadline=time.time() + 60)
    await answerer.answer(AnswerContext(job=job, emit=emit, run_sql=runner))
    return events


def text(events: list[StreamEvent]) -> str:
    return "".join(getattr(e, "delta", "") for e in events if e.type == "text-delta")


def of_type(events: list[StreamEvent], kind: str) -> list[Any]:
    return [e for e in events if e.type == kind]


@pytest_asyncio.fixture(loop_scope="session")
async def runner(demo_db: Path, demo_layer: SemanticLayer) -> AsyncIterator[GuardedSqlRunner]:
    executor = DuckDBExecutor(demo_db, row_limit=1000, timeout_ms=30_000)
    guard = SqlGuard(demo_layer, "duckdb", QuerySettings(row_limit=1000))
    yield GuardedSqlRunner(guard, executor)
    await executor.close()


@pytest.fixture(scope="module")
def answerer(demo_layer: SemanticLayer) -> SemanticAnswerer:
    return SemanticAnswerer(demo_layer, "duckdb", now=lambda: DEMO_NOW)


def reference(path: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


async def test_an_answer_streams_plan_sql_data_chart_and_narrative(
        answerer: SemanticAnswerer, runner: GuardedSqlRunner, demo_reference: Path) -> None:
    events = await ask(answerer, runner, "How many users signed up last week?")
    kinds = [e.type for e in events if e.type != "text-delta"]
    assert kinds == ["status", "plan", "status", "tool-call", "tool-result", "chart"]
    [count] = reference(demo_reference, "SELECT COUNT(*) FROM users WHERE created_at >= "
                                        "'2026-11-09' AND created_at < '2026-11-16'")[0]
    assert of_type(events, "tool-result")[0].output["rows"] == [{"signups": count}]
    assert of_type(events, "chart")[0].chart == "number"
    assert text(events) == f"{count:,} signups last week (Nov 9 – Nov 15, 2026)."
    assert len(of_type(events, "text-delta")) > 3  # streamed word by word


async def test_a_clarifying_question_runs_no_sql(answerer: SemanticAnswerer,
                                                 runner: GuardedSqlRunner) -> None:
    events = await ask(answerer, runner, "What was revenue last month?")
    [clarification] = of_type(events, "clarification")
    assert clarification.term == "revenue"
    assert clarification.options == ["GMV", "Net revenue"]
    assert not of_type(events, "tool-call")
    assert text(events) == clarification.question


async def test_cannot_answer_explains_and_suggests(answerer: SemanticAnswerer,
                                                   runner: GuardedSqlRunner) -> None:
    events = await ask(answerer, runner, "What is our churn rate?")
    [suggestions] = of_type(events, "suggestions")
    assert suggestions.suggestions and not of_type(events, "tool-call")
    assert '"churn"' in text(events) and "closest" in text(events)
    for question in suggestions.suggestions:  # every suggestion is answerable
        follow = await ask(answerer, runner, question)
        assert of_type(follow, "tool-result"), question


async def test_the_reply_to_a_clarification_answers_the_first_question(
        answerer: SemanticAnswerer, runner: GuardedSqlRunner, demo_reference: Path) -> None:
    first = await ask(answerer, runner, "Revenue by country last month")
    history = [HistoryTurn(role="user", content="Revenue by country last month"),
               HistoryTurn(role="assistant", content=text(first))]
    events = await ask(answerer, runner, "GMV", history)
    rows = of_type(events, "tool-result")[0].output["rows"]
    expected = dict(reference(demo_reference, """SELECT country, SUM(total_cents) / 100.0
        FROM orders WHERE status <> 'cancelled' AND created_at >= '2026-10-01'
        AND created_at < '2026-11-01' GROUP BY country"""))
    assert {r["country"]: r["total_gmv"] for r in rows} == pytest.approx(expected)


async def test_ranges_in_another_time_zone(demo_layer: SemanticLayer, runner: GuardedSqlRunner,
                                           demo_reference: Path) -> None:
    # 10:00 UTC is 05:00 in New York: "yesterday" there is Nov 17, 05:00 to Nov 18, 05:00 UTC.
    answerer = SemanticAnswerer(demo_layer, "duckdb", "America/New_York", now=lambda: DEMO_NOW)
    events = await ask(answerer, runner, "How many users signed up yesterday?")
    [count] = reference(demo_reference, "SELECT COUNT(*) FROM users WHERE created_at >= "
                                        "TIMESTAMP '2026-11-17 05:00' AND created_at < "
                                        "TIMESTAMP '2026-11-18 05:00'")[0]
    assert of_type(events, "tool-result")[0].output["rows"][0]["signups"] == count
    assert "(Nov 17, 2026)" in text(events)


async def test_rows_cut_at_the_limit_say_so(answerer: SemanticAnswerer,
                                            runner: GuardedSqlRunner) -> None:
    events = await ask(answerer, runner, "List all users")
    output = of_type(events, "tool-result")[0].output
    assert output["truncated"] and len(output["rows"]) == 1000
    assert of_type(events, "chart")[0].chart == "table"
    assert "cut at 1,000 rows" in text(events)


@pytest.mark.parametrize(("question", "chart", "x"), [
    ("signups by month", "line", "month"),
    ("GMV by country", "bar", "country"),
    ("top 3 categories by units sold", "bar", "category"),
    ("orders this month vs last month", "bar", "period"),
])
async def test_chart_hints(answerer: SemanticAnswerer, runner: GuardedSqlRunner, question: str,
                           chart: str, x: str) -> None:
    [hint] = of_type(await ask(answerer, runner, question), "chart")
    assert (hint.chart, hint.x) == (chart, x)


# --- narrative templates, on results shaped as the executor returns them ---------------------


def narrative(planner: SemanticPlanner, question: str, rows: list[dict[str, Any]],
              truncated: bool = False) -> str:
    decision = planner.decide(question)
    assert isinstance(decision, Planned), decision
    columns = list(rows[0]) if rows else []
    result = {"columns": columns, "rows": rows, "truncated": truncated}
    return narrate(decision.plan, result, decision.now)


def test_narrative_templates(demo_planner: SemanticPlanner) -> None:
    assert narrative(demo_planner, "GMV last month", [{"total_gmv": 1234567.891}]) == (
        "Total GMV last month (Oct 1 – Oct 31, 2026): $1,234,567.89.")
    assert narrative(demo_planner, "orders in Germany this month vs last month", [
        {"period": "this month", "order_count": 80}, {"period": "last month", "order_count": 100},
    ]) == ("Orders (country: Germany): this month (Nov 1 – Nov 18, 2026): 80 vs last month "
           "(Oct 1 – Oct 31, 2026): 100, down 20.0% on last month.")
    assert narrative(demo_planner, "top 2 countries by orders", [
        {"country": "Spain", "order_count": 9}, {"country": "Japan", "order_count": 7},
    ]) == "Top 2 by Orders: 1. Spain (9); 2. Japan (7)."
    assert narrative(demo_planner, "signups by month", [
        {"month": "2026-09-01", "signups": 5}, {"month": "2026-10-01", "signups": 8},
    ]) == ("Signups by month: 2 periods, from 5 (Sep 2026) to 8 (Oct 2026). Highest: 8 "
           "(Oct 2026); lowest: 5 (Sep 2026).")
    assert narrative(demo_planner, "users by plan", [
        {"plan": "free", "user_count": 6}, {"plan": "pro", "user_count": 3},
        {"plan": "business", "user_count": 1},
    ]) == ("users by plan: free leads with 6 (60%), followed by pro 3 (30%) and business 1 "
           "(10%); 3 groups in all.")
    assert narrative(demo_planner, "GMV by country yesterday", []) == (
        "No total GMV matched yesterday (Nov 17, 2026), so there is nothing to show.")
    assert narrative(demo_planner, "show orders from yesterday",
                     [{"id": n} for n in range(3)], truncated=True) == (
        "Here are 3 orders yesterday (Nov 17, 2026). The result was cut at 3 rows; add a "
        "filter or a range to see the rest.")


def test_clock_is_injectable(demo_layer: SemanticLayer) -> None:
    later = SemanticPlanner(demo_layer, "duckdb", now=lambda: DEMO_NOW + timedelta(days=7))
    decision = later.decide("signups last week")
    assert isinstance(decision, Planned)
    assert "'2026-11-16 00:00:00'" in decision.sql
