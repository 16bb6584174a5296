"""Evaluation of the semantic planner on its question sets (the demo, and a support-desk layer
of another domain written for the tests).

Each question runs through ``SemanticAnswerer.answer`` with a real ``AnswerContext``: the real
SQL guard and a real DuckDB executor on a freshly generated database. Its rows are compared
with the rows of SQL written by hand for that question (order-insensitive unless the case is
``ordered``; numbers within a tolerance). A clarifying question or a "can't answer" counts as
right only where the case expects it; an answer whose rows differ, or an answer where none was
expected, is a *confident wrong*.

Follow-up sets (``eval_followups.yaml``) ask each case's earlier questions first and pass the
turns as the conversation's history, as the worker does. Sample sets (``eval_tpch.yaml``,
``eval_chinook.yaml``) run on layers no one here wrote: ``atlas init`` on a public schema plus
a small hand overlay (``fixtures/init_layer.py``).

``python -m tests.query.planner.evaluate [SET ...]`` (from the repository root) prints every
question and the score per capability (right, and how the misses went: clarified, declined,
confidently wrong, error); ``make eval`` runs it on every set.
"""

from __future__ import annotations

import asyncio
import math
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import yaml

from atlas_common.messages import HistoryTurn, QueryRequested
from atlas_common.principal import ANONYMOUS
from atlas_common.stream_events import (
    ClarificationEvent,
    StreamEvent,
    SuggestionsEvent,
    ToolCallEvent,
    ToolResultEvent,
)
from atlas_query.answer.context import AnswerContext
from atlas_query.demo import SEMANTIC_ROOT, generate_demo
from atlas_query.executors.duckdb import DuckDBExecutor
from atlas_query.guard.guard import SqlGuard
from atlas_query.planner import SemanticAnswerer
from atlas_query.semantic import load_semantic_layer
from atlas_query.settings import QuerySettings
from atlas_query.worker.sql_runner import GuardedSqlRunner
from tests.query.planner.fixtures import init_layer
from tests.query.planner.fixtures.support.generate import SUPPORT_SEMANTIC_ROOT, generate_support

HERE = Path(__file__).parent
ROW_LIMIT = 1000


@dataclass(frozen=True)
class EvalSet:
    name: str
    cases_file: Path
    # A folder, or where the build wrote the layer for the database it built (`atlas init`).
    layer_root: Path | Callable[[Path], Path]
    build: Callable[[Path, datetime], None]
    section: str | None = None  # eval_followups.yaml holds one section per layer

    def layer_for(self, database: Path) -> Path:
        return self.layer_root(database) if callable(self.layer_root) else self.layer_root


SETS = [
    EvalSet("demo", HERE / "eval_demo.yaml", SEMANTIC_ROOT, lambda p, now: generate_demo(p, now)),
    EvalSet("support", HERE / "eval_support.yaml", SUPPORT_SEMANTIC_ROOT, generate_support),
]
# Conversations: each case is a follow-up asked after the earlier user turns of `history`.
FOLLOWUP_SETS = [
    EvalSet("followups-demo", HERE / "eval_followups.yaml", SEMANTIC_ROOT,
            lambda p, now: generate_demo(p, now), "demo"),
    EvalSet("followups-support", HERE / "eval_followups.yaml", SUPPORT_SEMANTIC_ROOT,
            generate_support, "support"),
]
# Layers nobody here wrote: `atlas init` on public sample schemas plus a small hand overlay
# (issue 19). Printed by `make eval`; held by test_eval.py (SAMPLE_FLOORS).
SAMPLE_SETS = [
    EvalSet(name, HERE / f"eval_{name}.yaml", init_layer.layer_folder, init_layer.builder(name))
    for name in ("tpch", "chinook")
]


@dataclass(frozen=True)
class Case:
    question: str
    kind: str
    capabilities: tuple[str, ...]
    sql: str | None = None
    ordered: bool = False
    term: str | None = None
    history: tuple[str, ...] = ()  # earlier user questions of the conversation, oldest first


@dataclass
class Outcome:
    case: Case
    got: str
    right: bool
    detail: str = ""
    sql: str = ""

    @property
    def confident_wrong(self) -> bool:
        return self.got == "answer" and not self.right


_MISSED = {"clarify": "clarified", "cannot": "declined"}


@dataclass
class Report:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def right_share(self) -> float:
        return sum(o.right for o in self.outcomes) / max(1, len(self.outcomes))

    @property
    def confident_wrong(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.confident_wrong]

    def misses_by_capability(self) -> dict[str, Counter[str]]:
        """Per capability, how the misses went: clarified, declined, wrong (a confident
        answer), error."""
        misses: dict[str, Counter[str]] = defaultdict(Counter)
        for outcome in self.outcomes:
            kind = "wrong" if outcome.confident_wrong else _MISSED.get(outcome.got, outcome.got)
            for capability in outcome.case.capabilities:
                misses[capability][kind] += not outcome.right
        return misses

    def by_capability(self) -> dict[str, tuple[int, int]]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            for capability in outcome.case.capabilities:
                counts[capability][0] += outcome.right
                counts[capability][1] += 1
        return {k: (v[0], v[1]) for k, v in sorted(counts.items())}


def load_cases(path: Path, section: str | None = None) -> tuple[datetime, list[Case]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data = data["sets"][section] if section else data
    cases = [Case(question=item["q"], kind=item.get("kind", "answer"),
                  capabilities=tuple(item.get("capabilities", [])), sql=item.get("sql"),
                  ordered=bool(item.get("ordered", False)), term=item.get("term"),
                  history=tuple(item.get("history", [])))
             for item in data["cases"]]
    return datetime.fromisoformat(data["now"]), cases


# --- comparing rows ------------------------------------------------------------------------

_NUMERIC = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def normalize(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and _NUMERIC.fullmatch(value):
        return float(value)
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=0.005)
    return bool(a == b)


def _key(row: tuple[Any, ...]) -> tuple[tuple[int, Any], ...]:
    return tuple((0, round(v, 2)) if isinstance(v, float) else (1, str(v)) for v in row)


def compare(actual: list[tuple[Any, ...]], expected: list[tuple[Any, ...]],
            ordered: bool) -> str:
    """An empty string when the rows match, else what differs."""
    if len(actual) != len(expected):
        return f"{len(actual)} rows, expected {len(expected)}"
    if actual and len(actual[0]) != len(expected[0]):
        return f"{len(actual[0])} columns, expected {len(expected[0])}"
    if not ordered:
        actual, expected = sorted(actual, key=_key), sorted(expected, key=_key)
    for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
        if not all(_same(a, b) for a, b in zip(got, want, strict=True)):
            return f"row {index}: {got} != expected {want}"
    return ""


# --- running ---------------------------------------------------------------------------------


class Runner:
    def __init__(self, eval_set: EvalSet, workdir: Path) -> None:
        self.eval_set = eval_set
        self.now, self.cases = load_cases(eval_set.cases_file, eval_set.section)
        database = workdir / f"{eval_set.name}.duckdb"
        _build(eval_set, self.now, database)
        reference = workdir / f"{eval_set.name}-reference.duckdb"
        shutil.copy(database, reference)  # expected rows come from a separate file and instance
        self.reference = duckdb.connect(str(reference), read_only=True)
        layer = load_semantic_layer(eval_set.layer_for(database))
        settings = QuerySettings(row_limit=ROW_LIMIT)
        self.executor = DuckDBExecutor(database, row_limit=ROW_LIMIT, timeout_ms=30_000)
        self.run_sql = GuardedSqlRunner(SqlGuard(layer, "duckdb", settings), self.executor)
        self.answerer = SemanticAnswerer(layer, "duckdb", "UTC", now=lambda: self.now)

    async def run(self) -> Report:
        report = Report(self.eval_set.name)
        try:
            for case in self.cases:
                report.outcomes.append(await self.run_case(case))
        finally:
            await self.executor.close()
            self.reference.close()
        return report

    async def ask(self, question: str, history: tuple[HistoryTurn, ...] = ()
                  ) -> list[StreamEvent]:
        events: list[StreamEvent] = []

        async def emit(event: StreamEvent) -> int:
            events.append(event)
            return len(events)

        job = QueryRequested(request_id=uuid.uuid4().hex, question=question,
                             principal=ANONYMOUS, history=history, deadline=time.time() + 60)
        await self.answerer.answer(AnswerContext(job=job, emit=emit, run_sql=self.run_sql))
        return events

    async def conversation(self, questions: tuple[str, ...]) -> tuple[HistoryTurn, ...]:
        """The earlier turns as the worker stores them: each question is answered in turn, and
        an assistant turn is its text plus ``SQL: <the last SQL>`` when it ran SQL."""
        turns: tuple[HistoryTurn, ...] = ()
        for question in questions:
            events = await self.ask(question, turns)
            answer = "".join(getattr(e, "delta", "") for e in events if e.type == "text-delta")
            sql = [e.input["sql"] for e in events if isinstance(e, ToolCallEvent)]
            answer += f"\nSQL: {sql[-1]}" if sql else ""
            turns += (HistoryTurn(role="user", content=question),
                      HistoryTurn(role="assistant", content=answer))
        return turns

    async def run_case(self, case: Case) -> Outcome:
        try:
            events = await self.ask(case.question, await self.conversation(case.history))
        except Exception as exc:  # a refused or failed query: wrong, but not confident
            return Outcome(case, "error", False, f"{type(exc).__name__}: {exc}")
        clarify = [e for e in events if isinstance(e, ClarificationEvent)]
        if clarify:
            right = case.kind == "clarify" and case.term in (None, clarify[0].term)
            return Outcome(case, "clarify", right, f"term={clarify[0].term}")
        if any(isinstance(e, SuggestionsEvent) for e in events):
            text = "".join(getattr(e, "delta", "") for e in events)
            return Outcome(case, "cannot", case.kind == "cannot", text[:160])
        return self._answered(case, events)

    def _answered(self, case: Case, events: list[StreamEvent]) -> Outcome:
        results = [e for e in events if isinstance(e, ToolResultEvent)]
        sql = next((e.input["sql"] for e in events if getattr(e, "name", "") == "executeSQL"
                    and hasattr(e, "input")), "")
        if case.kind != "answer" or not results or case.sql is None:
            return Outcome(case, "answer", False, f"answered, expected {case.kind}", sql)
        output = results[-1].output
        actual = [tuple(normalize(row[c]) for c in output["columns"]) for row in output["rows"]]
        expected = [tuple(normalize(v) for v in row)
                    for row in self.reference.execute(case.sql).fetchall()]
        difference = compare(actual, expected, case.ordered)
        return Outcome(case, "answer", not difference, difference, sql)


async def evaluate(eval_set: EvalSet, workdir: Path) -> Report:
    return await Runner(eval_set, workdir).run()


async def evaluate_all(workdir: Path, names: Sequence[str] = ()) -> list[Report]:
    """Every set, or only those named."""
    return [await evaluate(eval_set, workdir)
            for eval_set in SETS + FOLLOWUP_SETS + SAMPLE_SETS
            if not names or eval_set.name in names]


_BUILT: dict[tuple[Path, datetime], Path] = {}


def _build(eval_set: EvalSet, now: datetime, path: Path) -> None:
    """Generate a set's database, or copy the one already generated for the same layer and
    clock (the follow-up sets run on the same data as the question sets)."""
    if callable(eval_set.layer_root):  # a layer written for the database just built: not shared
        eval_set.build(path, now)
        return
    built = _BUILT.get((eval_set.layer_root, now))
    if built is not None and built.exists():
        shutil.copy(built, path)
        return
    eval_set.build(path, now)
    _BUILT[(eval_set.layer_root, now)] = path


# --- printing --------------------------------------------------------------------------------


_MISS_KINDS = ("clarified", "declined", "wrong", "error")


def print_report(report: Report, verbose: bool = True) -> None:
    print(f"\n== {report.name}: {len(report.outcomes)} questions")
    for outcome in report.outcomes if verbose else []:
        mark = "ok " if outcome.right else ("WRONG" if outcome.confident_wrong else "miss")
        case = outcome.case
        asked = " -> ".join([*case.history, case.question])
        print(f"  [{mark:>5}] {outcome.got:<7} (expect {case.kind:<7}) {asked}")
        if not outcome.right:
            print(f"           {outcome.detail}")
            if outcome.sql:
                print(f"           sql: {outcome.sql}")
    print(f"  right: {report.right_share:.1%}   confident wrong: {len(report.confident_wrong)}")
    misses = report.misses_by_capability()
    for capability, (right, total) in report.by_capability().items():
        how = "  ".join(f"{kind} {misses[capability][kind]}" for kind in _MISS_KINDS
                        if misses[capability][kind])
        print(f"    {capability:<18} {right:>3}/{total:<3} {right / total:6.1%}   {how}")


def main() -> int:
    verbose = "--quiet" not in sys.argv
    names = [arg for arg in sys.argv[1:] if not arg.startswith("--")]  # e.g. `tpch chinook`
    with tempfile.TemporaryDirectory(prefix="atlas-planner-eval-") as tmp:
        reports = asyncio.run(evaluate_all(Path(tmp), names))
    for report in reports:
        print_report(report, verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
