"""An intent becomes a plan: columns chosen, joins checked, the metric used verbatim,
composed from its parts or declined, the answer's shape and order decided.
"""

from __future__ import annotations

from sqlglot import exp

from atlas_query.planner.choices import Chooser, comparison
from atlas_query.planner.expressions import entities_in
from atlas_query.planner.intent import Intent
from atlas_query.planner.measures import Measured, Measures
from atlas_query.planner.plan import Declined, Output, Plan
from atlas_query.planner.reading import Mention
from atlas_query.planner.refs import Ref
from atlas_query.planner.roles import Role
from atlas_query.planner.shape import decide_shape
from atlas_query.planner.shares import share_of
from atlas_query.planner.time import Grain, TimeRange
from atlas_query.planner.timecols import TimeColumns
from atlas_query.planner.wording import WordCheck

DEFAULT_TOP = 10


class Resolver:
    def __init__(self, measures: Measures, chooser: Chooser, times: TimeColumns,
                 words: WordCheck) -> None:
        self.measures = measures
        self.chooser = chooser
        self.times = times
        self.words = words

    def plan(self, intent: Intent) -> Plan:
        return _Build(self, intent).run()


class _Build:
    def __init__(self, resolver: Resolver, intent: Intent) -> None:
        self.r = resolver
        self.intent = intent
        self.spec = intent.reading.time
        self.measured: Measured = resolver.measures.measured(intent)
        self.base = self.measured.base
        self.involved: set[str] = {self.base} if self.base else set()
        self.groups: list[Output] = []
        self.filters: list[exp.Expr] = []
        self.notes: list[str] = []
        self.used: set[tuple[str, ...]] = set()
        self.time_column: exp.Expr | None = None
        self.grain: Grain | None = None

    def run(self) -> Plan:
        m = self.measured
        plan = Plan("number", self.base or "", m.subject, value=m.value,
                    metric=m.metric.id if m.metric else None)
        if self._asks_more() and not self._composable():
            raise Declined(self._declined_metric())
        if self.base is not None:
            self._groups()
            self._filters()
            self._time(plan)
        self._apply_metric(plan)
        self._having(plan)
        if self.intent.share:
            share_of(plan)
        self._change(plan)
        self._shape(plan)
        plan.shape = "number" if plan.count_groups else plan.shape
        self._check_entities(plan)
        self.r.words.check(self.intent, self._context_keys(plan))
        return plan

    def _composable(self) -> bool:
        """A metric gets filters, ranges or rankings only when it can be composed; a lone
        breakdown may still be one of the layer's own breakdown metrics."""
        m, i, s = self.measured, self.intent, self.spec
        if m.metric is None or (m.parts is not None and m.parts.composable):
            return True
        lone_group = len(i.groups) + bool(s.grain) == 1 and not (
            i.of_kind("filter", "boolean") or s.ranges or s.auto_grain or i.reading.ranking)
        return m.parts is not None and lone_group

    def _asks_more(self) -> bool:
        i, s = self.intent, self.spec
        return bool(i.groups or i.of_kind("filter", "boolean") or s.ranges or s.grain
                    or s.auto_grain or i.reading.ranking)

    def _words(self, mention: Mention) -> str:
        tokens = self.intent.reading.tokens[mention.start:mention.end]
        return " ".join(t.text for t in tokens)

    def _groups(self) -> None:
        base = self.base or ""
        having = self.intent.having
        for role in self.intent.groups:
            entities = role.mention.of("entity")
            if self._own_grain(role):
                continue
            if having is not None and having.count_groups and entities:
                # Counted groups need no name column: their key tells them apart.
                self.groups.append(self.r.chooser.entity_key(entities[0].name, base))
                continue
            self.groups.extend(self.r.chooser.group(role, base, self.involved,
                                                    self._words(role.mention)))

    def _own_grain(self, role: Role) -> bool:
        """"Average quantity per line item": per row of the measured entity itself, which an
        average (median, minimum, maximum) already is; a sum or count per row is a list."""
        names = [r.name for r in role.mention.of("entity")]
        value = self.measured.value
        if role.which or names != [self.base] or role.mention.of("dimension") or value is None:
            return False
        return value.expr.find(exp.Sum, exp.Count) is None and self.measured.metric is None

    def _filters(self) -> None:
        base = self.base or ""
        values = self.intent.of_kind("filter")
        words = {id(role): self._words(role.mention) for role in values}
        self.filters, self.notes = self.r.chooser.value_filters(values, base, self.involved,
                                                                words)
        versus = self.intent.versus
        if versus is not None:
            found, note = self.r.chooser.versus(versus, base)
            self.involved.add(versus.entity)
            self.filters.append(found)
            self.notes.append(note)
        condition = self.intent.condition
        if condition is not None:
            said = self._words(next(r.mention for r in self.intent.roles
                                     if r.kind in ("condition", "entity")))
            found, note = self.r.chooser.threshold(condition, base, self.involved, said)
            self.filters.append(found)
            self.notes.append(note)
        for role in self.intent.of_kind("present"):
            ref = self.r.chooser.dimension(role.mention.of("dimension"), base, self.involved,
                                           self._words(role.mention))
            self.involved.add(ref.entity or "")
            column = self.r.chooser.dimension_output(ref).expr
            present = exp.Is(this=column, expression=exp.Null())
            self.filters.append(present if role.negated else exp.Not(this=present))
            self.notes.append(f"{'no' if role.negated else 'has a'} {self._words(role.mention)}")
        for role in self.intent.of_kind("boolean"):
            self.filters.append(self.r.chooser.boolean(role, base, self.involved,
                                                       self._words(role.mention)))
            self.notes.append(("not " if role.negated else "") + self._words(role.mention))

    def _time(self, plan: Plan) -> None:
        s = self.spec
        if not (s.ranges or s.grain or s.auto_grain):
            return
        if len(s.ranges) > 1 and not s.compare:
            raise Declined("The question has several time ranges and I can't tell how they "
                           "relate; ask for one, or compare two with \"vs\".")
        hints = [r for role in self.intent.roles for r in role.mention.of("dimension")
                 if role.kind in ("time", "measure") and r.entity is not None
                 and self.r.times.sql.dimension(r.entity, r.name).type in ("date", "timestamp")
                 and not self.r.times.sql.dimension(r.entity, r.name).virtual]
        phrase = s.ranges[0].name if s.ranges else "over time"
        entity, dimension = self.r.times.choose(hints, self.base or "", self.involved,
                                                self.words_of_question(), phrase)
        self.involved.add(entity)
        self.used.add(("dimension", entity, dimension.name))
        column = self.r.times.column(entity, dimension)
        self.time_column = column
        if s.ranges:
            plan.time = self.r.times.time_filter(column, dimension, s.ranges)
        self.grain = s.grain or (_auto_grain(s.ranges) if s.auto_grain else None)
        if self.grain is not None:
            self.groups.insert(0, self.r.times.bucket(self.grain, column,
                                                      dimension.type == "date"))

    def words_of_question(self) -> set[str]:
        return {t.stem for t in self.intent.reading.tokens}

    def _apply_metric(self, plan: Plan) -> None:
        m = self.measured
        plan.groups, plan.filters, plan.notes = self.groups, self.filters, self.notes
        plan.bucket = self.grain
        if m.metric is None:
            return
        if not self._asks_more():
            plan.verbatim_sql = m.metric.sql
            plan.groups = [Output(e, a, a.replace("_", " ")) for e, a in
                           (m.parts.groups if m.parts else ())]
            return
        if m.parts is not None and self._breakdown(plan):
            return
        if m.parts is None or not m.parts.composable:
            raise Declined(self._declined_metric())
        plan.composed = True
        plan.filters = [*m.parts.filters, *self.filters]
        own = [Output(e, a, a.replace("_", " ")) for e, a in m.parts.groups]
        plan.groups = [*self.groups[:1], *own, *self.groups[1:]] if self.grain else \
            [*own, *self.groups]
        self.involved |= entities_in(m.parts.value)

    def _breakdown(self, plan: Plan) -> bool:
        """``signups by week`` is the breakdown metric ``weekly_signups`` asked as defined."""
        m, i = self.measured, self.intent
        only_group = len(self.groups) == 1 and not (self.filters or self.spec.ranges
                                                    or i.reading.ranking)
        if not only_group or m.parts is None or m.parts.groups:
            return False
        found = self.r.measures.breakdown(m.parts, self.groups[0], self.grain, self.time_column)
        if found is None:
            return False
        parts = self.r.measures.parts[found.id]
        plan.metric, plan.verbatim_sql = found.id, found.sql
        plan.groups = [Output(e, a, a.replace("_", " ")) for e, a in parts.groups] \
            if parts else plan.groups
        return True

    def _having(self, plan: Plan) -> None:
        having = self.intent.having
        if having is None:
            return
        if plan.value is None or not plan.groups or plan.metric is not None:
            raise Declined("I can only keep groups by a count of their rows.")
        plan.having = comparison(having.op, plan.value.expr, having.number)
        plan.count_groups = having.count_groups
        plan.notes.append(f"{plan.value.label} {having.op} {having.number:g}")

    def _change(self, plan: Plan) -> None:
        """"Month-over-month growth": the series by month, then each bucket against the one
        before it (a window in the compiler)."""
        change = self.intent.reading.change
        if change is None:
            return
        if plan.bucket != change[0] or len(plan.groups) != 1 or plan.value is None \
                or plan.verbatim_sql is not None or plan.extra or plan.having is not None:
            raise Declined(f"I can give the {change[1]} over one series by {change[0]} only.")
        plan.change = change[1]

    def _declined_metric(self) -> str:
        metric = self.measured.metric
        label = (metric.label or metric.id) if metric else "This metric"
        return (f"{label} is defined by one fixed query in the semantic layer, with no source "
                "measure I could add this question's filters, range or breakdown to without "
                f"changing its definition. I can give {label} as defined.")

    def _shape(self, plan: Plan) -> None:
        decide_shape(plan, self.intent, self.spec, self.r.times.sql, DEFAULT_TOP)

    def _check_entities(self, plan: Plan) -> None:
        exprs = [g.expr for g in plan.groups] + list(plan.filters)
        exprs += [plan.value.expr] if plan.value is not None else []
        exprs += [c.expr for c in plan.columns]
        for expr in exprs:
            self.involved |= entities_in(expr)
        for role in self.intent.entity_roles:
            names = {r.name for r in role.mention.of("entity")}
            if not names & self.involved:
                raise Declined(f'The question mentions "{self._words(role.mention)}" but I '
                               "can't tell how it relates to what is measured.")

    def _context_keys(self, plan: Plan) -> set[tuple[str, ...]]:
        keys = {("entity", "", e) for e in self.involved} | self.used
        if plan.metric:
            keys.add(("metric", "", plan.metric))
        if self.intent.target is not None:
            keys.add(self.intent.target.key)
        for role in self.intent.roles:
            keys |= {_ref_key(r) for r in role.mention.refs if r.kind != "ambiguous"}
        return keys


def _ref_key(ref: Ref) -> tuple[str, ...]:
    return ("dimension", ref.entity or "", ref.name) if ref.kind == "value" else ref.key


def _auto_grain(ranges: list[TimeRange]) -> Grain:
    if not ranges:
        return "month"
    days = (ranges[0].end - ranges[0].start).days
    return "day" if days <= 45 else ("week" if days <= 190 else "month")


__all__ = ["Resolver", "Role"]
