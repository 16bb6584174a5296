"""Ranking verbs: "the 3 best-selling parts", "which 5 albums sold the most", "the most
popular ship mode".

- *Selling* ("best-selling", "sold the most", "top selling") ranks by the sum of the layer's
  one plain quantity column (named just quantity, units or qty), on a table from which the
  ranked thing is reached; a thing named after "the most" that the quantity's own rows
  reference ("sold the most tracks") is what was sold. No such column, or several: declined.
- *Popular* ("the most popular ship mode") ranks a column by the number of rows of the one
  table that owns it.

Only with a ranking (a superlative or "top N"): "sold" alone stays unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas_query.planner import synonyms as syn
from atlas_query.planner.operators import measure_name, numeric_columns
from atlas_query.planner.plan import Declined
from atlas_query.planner.reading import SUP, Mention, Reading
from atlas_query.planner.refs import Ref
from atlas_query.planner.roles import Role
from atlas_query.semantic import Entity, Metric

SELL_WORDS = frozenset(("selling", "sold", "sells", "sellers", "seller"))
POPULAR_WORDS = frozenset(("popular",))
SPENDER_WORDS = frozenset(("spenders", "spender"))
SPENT_WORDS = frozenset(("spent", "spend", "spends", "paid"))
MOVED_WORDS = frozenset(("sold", "shipped"))  # rows of the quantity's table
BOUGHT_WORDS = frozenset(("bought", "purchased", "spent", "paid"))  # rows of the spending one
_SPEND_WORDS = frozenset(("price", "total", "amount", "revenue", "sales", "paid", "payment",
                          "cost", "spend"))
_QUANTITY_NAMES = frozenset(("quantity", "units", "qty"))


@dataclass
class Verb:
    kind: str  # "sell" or "popular"
    mention: Mention | None = None  # the injected quantity measure ("sell")
    target: Ref | None = None  # what "spenders" are ranked by


class Verbs:
    def __init__(self, entities: list[Entity], metrics: list[Metric]) -> None:
        self.entities = {e.name: e for e in entities}
        # A metric built on a measure is what the measure means (ADR 0004): "units sold".
        self.metric_of = {(m.source.entity, m.source.measure): m.id for m in metrics
                          if m.source is not None}
        numeric = numeric_columns(entities)
        self.quantities = [(entity, column) for (entity, column) in numeric
                           if syn.name_phrases(column)[-1] in _QUANTITY_NAMES]
        self.spending = self._spending(numeric)

    def _spending(self, numeric: dict[tuple[str, str], str]) -> list[tuple[str, str, str]]:
        """(fact, its one amount column, the one table it references): who spends what.
        "Spenders" means something only when exactly one table is that."""
        found = []
        for entity in self.entities.values():
            amounts = [c for (e, c) in numeric if e == entity.name
                       and {w for p in syn.name_phrases(c) for w in p.split()} & _SPEND_WORDS]
            targets = {j.target_entity for j in entity.joins
                       if j.relationship == "many_to_one"}
            if len(amounts) == 1 and len(targets) == 1:
                found.append((entity.name, amounts[0], targets.pop()))
        return found

    def read(self, reading: Reading) -> Verb | None:
        """Take the ranking verb out of the loose words; a selling verb becomes the sum of
        the quantity column, in the verb's place."""
        if reading.threshold is not None and reading.threshold.money:
            return self._spent(reading)
        if reading.ranking is None:
            return None
        found = [t for t in reading.loose
                 if t.text in SELL_WORDS | POPULAR_WORDS | SPENDER_WORDS]
        if len(found) != 1:
            return None
        token = found[0]
        reading.loose.remove(token)
        if token.text in POPULAR_WORDS:
            return Verb("popular")
        if token.text in SPENDER_WORDS:
            return self._spenders(reading, token.index)
        if len(self.quantities) != 1:
            raise Declined("I can't tell which quantity counts as sold: the layer has "
                           f"{len(self.quantities) or 'no'} plain quantity columns.")
        entity, column = self.quantities[0]
        sql = next(d.expression for d in self.entities[entity].dimensions if d.name == column)
        name = measure_name("sum", self.entities[entity], column, sql)
        metric = self.metric_of.get((entity, name))
        ref = Ref("metric", metric) if metric else Ref("measure", name, entity)
        mention = Mention(token.index, token.index + 1, frozenset({ref}))
        reading.mentions = sorted([*reading.mentions, mention], key=lambda m: m.start)
        return Verb("sell", mention)

    def _spent(self, reading: Reading) -> Verb | None:
        """"Customers who spent more than $45": the spending table's total amount, in the
        verb's place (the threshold keeps the groups over it)."""
        found = [t for t in reading.loose if t.text in SPENT_WORDS]
        if len(found) != 1 or len(self.spending) != 1:
            return None
        reading.loose.remove(found[0])
        fact, column, _ = self.spending[0]
        sql = next(d.expression for d in self.entities[fact].dimensions if d.name == column)
        ref = Ref("measure", measure_name("sum", self.entities[fact], column, sql), fact)
        mention = Mention(found[0].index, found[0].index + 1, frozenset({ref}))
        reading.mentions = sorted([*reading.mentions, mention], key=lambda m: m.start)
        return Verb("spent", mention)

    def _spenders(self, reading: Reading, index: int) -> Verb:
        """"Our top 5 spenders": the one table that spends, ranked by its total amount."""
        if len(self.spending) != 1:
            raise Declined("I can't tell who spends what in this data.")
        fact, column, who = self.spending[0]
        sql = next(d.expression for d in self.entities[fact].dimensions if d.name == column)
        name = measure_name("sum", self.entities[fact], column, sql)
        metric = self.metric_of.get((fact, name))
        target = Ref("metric", metric) if metric else Ref("measure", name, fact)
        mention = Mention(index, index + 1, frozenset({Ref("entity", who)}))
        reading.mentions = sorted([*reading.mentions, mention], key=lambda m: m.start)
        return Verb("spend", None, target)

    def rows_of(self, reading: Reading, counted: str) -> str | None:
        """"How many unique customers bought something", "different tracks have been sold":
        the table whose rows the verb names (the spending table, or the quantity's), when it
        reaches the counted table; the verb is taken."""
        for token in list(reading.loose):
            if token.text in BOUGHT_WORDS:
                tables = [fact for fact, _, who in self.spending if who == counted]
            elif token.text in MOVED_WORDS:
                tables = [fact for fact, column in self.quantities
                          if not self._sold_metric(fact, column)]
            else:
                continue
            if len(tables) == 1:
                reading.loose.remove(token)
                return tables[0]
        return None

    def _sold_metric(self, fact: str, column: str) -> bool:
        """Whether the layer defines "sold" by a metric on the quantity (units sold, perhaps
        without cancelled orders): its rows are then not simply the table's."""
        sql = next(d.expression for d in self.entities[fact].dimensions if d.name == column)
        return (fact, measure_name("sum", self.entities[fact], column, sql)) in self.metric_of

    def settle(self, reading: Reading, verb: Verb | None, roles: list[Role]) -> str | None:
        """Roles after the verb: what is ranked, and what was sold. Returns the entity whose
        rows "popular" counts."""
        if verb is None:
            return None
        after = _role_after(roles, verb.mention.end if verb.mention else _sup_end(reading))
        if verb.kind == "sell":
            self._sold(verb, after)
            return None
        if verb.kind in ("spend", "spent"):
            return None
        owners = {r.entity for r in after.mention.of("dimension")} if after else set()
        if after is None or len(owners) != 1 or after.mention.of("entity"):
            raise Declined('I can only rank a column by "popular": how many rows have each '
                           "value.")
        owner = owners.pop() or ""
        if self._referenced(owner):  # "most popular brand" of the part catalogue: by what?
            raise Declined(f"Other tables' rows refer to {owner}: \"popular\" by them or by "
                           f"{owner} rows is a guess; say what to count.")
        after.kind, after.which = "group", True
        return owner

    def _referenced(self, entity: str) -> bool:
        """Whether rows of another table point at this one (it is a catalogue, not events)."""
        return any(j.target_entity == entity and j.relationship == "many_to_one"
                   for other in self.entities.values() if other.name != entity
                   for j in other.joins)

    def _sold(self, verb: Verb, after: Role | None) -> None:
        if after is None or after.kind not in ("entity", "order", "group", "dimension"):
            return
        quantity = self.quantities[0][0]
        sold = {j.target_entity for j in self.entities[quantity].joins
                if j.relationship == "many_to_one"}
        names = {r.name for r in after.mention.of("entity")}
        if after.kind == "order" and names and names <= sold:
            after.kind = "sold"  # "sold the most tracks": the quantity's own items
        elif after.kind in ("entity", "dimension") or (after.kind == "group" and not after.which):
            after.kind, after.which = "group", True  # "best-selling parts": what is ranked


def _role_after(roles: list[Role], index: int) -> Role | None:
    return next((r for r in roles if r.mention.start >= index), None)


def _sup_end(reading: Reading) -> int:
    marks = [t.index for t in reading.tokens if t.text == SUP]
    return marks[0] + 1 if marks else len(reading.tokens)
