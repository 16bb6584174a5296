"""The semantic planner: a question -> a plan and its SQL, a clarifying question, or an honest
"I can't answer that", using the semantic layer alone (no LLM, no network).

Build one per layer and dialect; :meth:`SemanticPlanner.decide` is pure apart from the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from atlas_query.planner.choices import Chooser
from atlas_query.planner.compile import Compiler
from atlas_query.planner.expressions import TIME_TYPES, LayerSql
from atlas_query.planner.followup import Turn
from atlas_query.planner.intent import IntentReader
from atlas_query.planner.joins import JoinGraph
from atlas_query.planner.measures import Measures
from atlas_query.planner.metrics import MetricAnalyzer
from atlas_query.planner.plan import Ambiguous, CannotAnswer, Clarify, Declined, Plan
from atlas_query.planner.reading import read
from atlas_query.planner.refine import Refiner
from atlas_query.planner.resolve import Resolver
from atlas_query.planner.several import plan_several
from atlas_query.planner.suggest import Suggester
from atlas_query.planner.timecols import TimeColumns
from atlas_query.planner.vocabulary import Vocabulary
from atlas_query.planner.wording import WordCheck
from atlas_query.semantic import SemanticLayer

_DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "postgresql": "postgres",
             "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}


@dataclass(frozen=True)
class Planned:
    plan: Plan
    sql: str
    now: datetime
    question: str = ""  # the full question planned: a follow-up merged with earlier turns


Decision = Planned | Clarify | CannotAnswer


class SemanticPlanner:
    def __init__(self, layer: SemanticLayer, dialect: str, timezone: str = "UTC",
                 now: Callable[[], datetime] | None = None) -> None:
        if dialect not in _DIALECTS:
            raise ValueError(f"unsupported dialect {dialect!r}; use {', '.join(_DIALECTS)}")
        self.dialect = _DIALECTS[dialect]
        self.zone = ZoneInfo(timezone)
        self._clock = now or (lambda: datetime.now(UTC))
        self.vocab = Vocabulary(layer)
        graph = JoinGraph(layer)
        sql = LayerSql(layer.entities, self.dialect)
        chooser = Chooser(sql, graph)
        tables = {}
        for entity in layer.entities:
            # Keyed as sqlglot names a table in a metric's SQL: without quotes (a PostgreSQL
            # layer quotes mixed-case names: `"Album"`, `public."Album"`).
            parts = [part.strip('"`[]') for part in entity.table.split(".")]
            tables[".".join(parts).lower()] = entity.name
            tables.setdefault(parts[-1].lower(), entity.name)
        measures = Measures(layer.metrics, sql, MetricAnalyzer(sql, graph, tables), chooser)
        self.resolver = Resolver(measures, chooser, TimeColumns(chooser, timezone),
                                 WordCheck(self.vocab))
        time_types = {(e.name, d.name): d.type or "" for e in layer.entities
                      for d in e.dimensions if d.type in TIME_TYPES}
        self.reader = IntentReader(self.vocab, time_types)
        self.compiler = Compiler(layer.entities, graph, self.dialect)
        self.suggester = Suggester(self.vocab, self)
        self.refiner = Refiner(self.vocab, time_types, self)

    def now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    def decide(self, question: str, history: Sequence[Turn] = ()) -> Decision:
        """``history``: the earlier turns, oldest first; a follow-up is planned as the full
        question it stands for (:mod:`refine`)."""
        question = self.refiner.question(question, history)
        try:
            return self.plan(question)
        except Ambiguous as ambiguous:
            return ambiguous.clarify
        except Declined as declined:
            return CannotAnswer(declined.reason, self.suggester.suggestions(question),
                                self.suggester.closest(question))

    def plan(self, question: str) -> Planned:
        """Plan ``question`` or raise :class:`Declined` / :class:`Ambiguous`."""
        now = self.now()
        try:
            plan = self._one(question, now)
        except Declined:
            several = plan_several(question, lambda part: self._one(part, now))
            if several is None:
                raise
            plan = several
        return Planned(plan, self.compiler.sql(plan), now, question)

    def _one(self, question: str, now: datetime) -> Plan:
        reading = read(question, self.vocab, now)
        return self.resolver.plan(self.reader.read(reading))

    def plan_of(self, question: str) -> Plan:
        return self.plan(question).plan

    def answerable(self, question: str) -> bool:
        try:
            self.plan(question)
        except (Declined, Ambiguous):
            return False
        return True
