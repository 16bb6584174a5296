"""Which column a phrase means, given the entity being measured: dimensions, groups, value
filters and the time column, each reachable along declared many-to-one joins.

When a phrase names columns of several entities ("country" on users and orders), the nearest
to the measured entity wins, then one already in the query, then a fact table, then a real
column over a virtual one. A tie left after that is not guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlglot import exp

from atlas_query.planner import synonyms as syn
from atlas_query.planner.clarify import question as clarify_question
from atlas_query.planner.conditions import ColumnCompare, RowCondition
from atlas_query.planner.expressions import LayerSql
from atlas_query.planner.joins import JoinGraph
from atlas_query.planner.plan import Ambiguous, Clarify, Declined, Output
from atlas_query.planner.refs import Ref
from atlas_query.planner.roles import Role
from atlas_query.planner.text import stem


class Chooser:
    def __init__(self, sql: LayerSql, graph: JoinGraph) -> None:
        self.sql = sql
        self.graph = graph

    def rank(self, entity: str, base: str, involved: set[str]) -> tuple[int, ...] | None:
        distance = self.graph.distance(base, entity)
        if distance is None:
            return None
        fact = self.sql.entity(entity).type == "fact_table"
        return (distance, entity not in involved, not fact)

    def dimension(self, refs: Iterable[Ref], base: str, involved: set[str], words: str) -> Ref:
        scored = []
        for ref in refs:
            rank = self.rank(ref.entity or "", base, involved)
            if rank is not None:
                virtual = self.sql.dimension(ref.entity or "", ref.name).virtual
                scored.append(((*rank, virtual), ref))
        if not scored:
            owners = sorted({r.entity or "" for r in refs})
            raise Declined(f'"{words}" belongs to {", ".join(owners)}, which I can\'t join to '
                           f"{base} without counting rows twice.")
        best = min(rank for rank, _ in scored)
        self._far_guess(refs, best, scored, words)
        tied = {(r.entity, r.name) for rank, r in scored if rank == best}
        if len(tied) > 1:
            raise Declined(f'"{words}" could be {" or ".join(sorted(f"{e}.{n}" for e, n in tied))}'
                           "; I won't guess which.")
        chosen = next(r for rank, r in scored if rank == best)
        self._one_route(base, chosen.entity or "", words)
        return chosen

    @staticmethod
    def _far_guess(refs: Iterable[Ref], best: tuple[object, ...],
                   scored: Sequence[tuple[tuple[object, ...], Ref]], words: str) -> None:
        """"Sales by title": the nearest title is two joins away and another table has one
        too (an album's, reached through the invoice lines): which one is not a guess to make
        silently."""
        owners = sorted({r.entity or "" for r in refs})
        if len(owners) < 2 or not isinstance(best[0], int) or best[0] < 2:
            return
        options = [f"{' '.join(syn.name_words(o))} {words}" for o in owners]
        raise Ambiguous(Clarify(words, options, clarify_question(words, options)))

    def group(self, role: Role, base: str, involved: set[str], words: str) -> list[Output]:
        entities = role.mention.of("entity")
        if entities and not role.mention.of("dimension"):
            return self.entity_groups(entities[0].name, base, words)
        if role.mention.of("value"):
            raise Declined(f'I can\'t group by "{words}": it is a value, not a column.')
        ref = self.dimension(role.mention.of("dimension"), base, involved, words)
        involved.add(ref.entity or "")
        return [self.dimension_output(ref)]

    def entity_groups(self, entity: str, base: str, words: str) -> list[Output]:
        """An entity's name column, or a person's first and last name (grouped with the
        key)."""
        pair = self.sql.name_pair(entity)
        label = self.sql.label_dimension(entity)
        # A person's names over a "Title" column: on people, a title is a job title.
        if pair is None or (label is not None and label.name.lower() != "title"):
            return [self.entity_group(entity, base, words)]
        if self.graph.path(base, entity) is None:
            raise Declined(f"I can't break {base} down by {entity} without counting rows twice.")
        self._one_route(base, entity, words)
        key = self.sql.primary_key(entity)
        keys = (self.sql.column(entity, key.expression),) if key else ()
        outputs = [self.dimension_output(Ref("dimension", d.name, entity)) for d in pair]
        return [Output(outputs[0].expr, outputs[0].alias, outputs[0].label, keys), outputs[1]]

    def _one_route(self, base: str, entity: str, words: str) -> None:
        """"Quantity sold by nation": the supplier's nation or the customer's? A far entity
        reached by several routes is asked about, not taken by the shortest."""
        vias = self.graph.vias(base, entity)
        if len(vias) < 2 or not all(vias):
            return
        options = [f"{words} of {' '.join(syn.name_words(via[-1]))}" for via in vias]
        options = list(dict.fromkeys(options))
        if len(options) > 1:
            raise Ambiguous(Clarify(words, options, clarify_question(words, options)))

    def dimension_output(self, ref: Ref) -> Output:
        expr = self.sql.dimension_expr(ref.entity or "", ref.name)
        if expr is None:
            raise Declined(f"The SQL of dimension {ref.entity}.{ref.name} does not parse.")
        return Output(expr, ref.name, ref.name.replace("_", " "))

    def entity_group(self, entity: str, base: str, words: str) -> Output:
        if self.graph.path(base, entity) is None:
            raise Declined(f"I can't break {base} down by {entity} without counting rows twice.")
        self._one_route(base, entity, words)
        label = self.sql.label_dimension(entity)
        if label is None:
            raise Declined(f'{entity} has no name column, so I can\'t group by "{words}".')
        key = self.sql.primary_key(entity)
        keys = (self.sql.column(entity, key.expression),) if key else ()
        expr = self.sql.dimension_expr(entity, label.name)
        if expr is None:
            raise Declined(f"The SQL of dimension {entity}.{label.name} does not parse.")
        alias = singular(entity)
        return Output(expr, alias, alias.replace("_", " "), keys)

    def entity_key(self, entity: str, base: str) -> Output:
        key = self.sql.single_key(entity)
        if self.graph.path(base, entity) is None or key is None:
            raise Declined(f"I can't count {base} per {entity} without counting rows twice.")
        return Output(self.sql.column(entity, key.expression), singular(entity),
                      singular(entity).replace("_", " "))

    def versus(self, compare: ColumnCompare, base: str) -> tuple[exp.Expr, str]:
        """Two columns of one row: "received after their commit date"."""
        left = self.sql.dimension_expr(compare.entity, compare.left)
        right = self.sql.dimension_expr(compare.entity, compare.right)
        if left is None or right is None or self.graph.path(base, compare.entity) is None:
            raise Declined(f"I can't compare {compare.left} with {compare.right} here.")
        kinds: dict[str, type[exp.Binary]] = {">": exp.GT, "<": exp.LT}
        note = f"{compare.left} {compare.op} {compare.right}"
        return kinds[compare.op](this=left, expression=right), note

    def threshold(self, condition: RowCondition, base: str, involved: set[str],
                  words: str) -> tuple[exp.Expr, str]:
        """"a retail price under 1000": the column, compared in its own unit."""
        ref = self.dimension(condition.columns, base, involved, words)
        involved.add(ref.entity or "")
        column = self.sql.dimension_expr(ref.entity or "", ref.name)
        number = condition.threshold.compare(self.sql.dimension(ref.entity or "", ref.name))
        if column is None or number is None:
            raise Declined(f"I can't compare {ref.name} with that number.")
        op = condition.threshold.op
        return comparison(op, column, number), f"{ref.name.replace('_', ' ')} {op} {number:g}"

    def value_filters(self, roles: list[Role], base: str, involved: set[str],
                      words: dict[int, str]) -> tuple[list[exp.Expr], list[str]]:
        chosen: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
        for role in roles:
            ref = self.dimension(role.values, base, involved, words[id(role)])
            involved.add(ref.entity or "")
            chosen[(ref.entity or "", ref.name, role.negated)].append(ref.value or "")
        filters, notes = [], []
        for (entity, name, negated), values in chosen.items():
            column = self.sql.dimension_expr(entity, name)
            if column is None:
                raise Declined(f"The SQL of dimension {entity}.{name} does not parse.")
            filters.append(_matches(column, list(dict.fromkeys(values)), negated))
            shown = " or ".join(dict.fromkeys(values))
            notes.append(f"{name.replace('_', ' ')}: {'not ' if negated else ''}{shown}")
        return filters, notes

    def boolean(self, role: Role, base: str, involved: set[str], words: str) -> exp.Expr:
        ref = self.dimension(role.mention.of("dimension"), base, involved, words)
        involved.add(ref.entity or "")
        expr = self.sql.dimension_expr(ref.entity or "", ref.name)
        if expr is None:
            raise Declined(f"The SQL of dimension {ref.entity}.{ref.name} does not parse.")
        return exp.Not(this=exp.Paren(this=expr)) if role.negated else expr


def comparison(op: str, left: exp.Expr, number: float) -> exp.Expr:
    literal = exp.Literal.number(int(number) if number == int(number) else number)
    kinds: dict[str, type[exp.Binary]] = {">": exp.GT, "<": exp.LT, ">=": exp.GTE,
                                          "<=": exp.LTE, "=": exp.EQ}
    return kinds[op](this=left.copy(), expression=literal)


def _matches(column: exp.Expr, values: list[str], negated: bool) -> exp.Expr:
    literals = [exp.Literal.string(v) for v in values]
    if len(literals) == 1:
        return exp.NEQ(this=column, expression=literals[0]) if negated else column.eq(literals[0])
    found = column.isin(*literals)
    return exp.Not(this=found) if negated else found


def singular(entity: str) -> str:
    words = syn.name_words(entity)
    return "_".join([*words[:-1], stem(words[-1])])


def plural(entity: str) -> str:
    return " ".join(syn.name_words(entity))
