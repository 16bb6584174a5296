"""Aggregates asked in words over a numeric column: "average order value", "median quantity",
"total price of all orders", "the highest account balance".

An aggregate word right before a phrase that names a numeric column (not a key, not a join
column) makes that phrase a measure: the layer's own measure of that kind over that column
when it has one, else the aggregate itself (``avg:column``). A phrase that names both an
entity and a numeric column of it ("sales" = the invoices and their amount) is the amount
when an aggregate word stands before it, and the entity otherwise (never a guess between
them: see :func:`read_aggregates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from atlas_query.planner import synonyms as syn
from atlas_query.planner.plan import Declined
from atlas_query.planner.reading import HEAD, PCT, SUP, Mention, Reading
from atlas_query.planner.refs import Ref
from atlas_query.planner.thresholds import duration_like, money_like
from atlas_query.semantic import Entity

AGGREGATE_WORDS = {"average": "avg", "avg": "avg", "mean": "avg", "median": "median",
                   "total": "sum", "sum": "sum", "maximum": "max", "max": "max",
                   "minimum": "min", "min": "min", "longest": "max", "shortest": "min"}
DATE_WORDS = {"earliest": "min", "latest": "max", "first": "min", "last": "max"}  # dates
KINDS = frozenset(("sum", "avg", "min", "max", "median"))
KIND_WORDS = {"sum": "total", "avg": "average", "min": "minimum", "max": "maximum",
              "median": "median"}
_SKIPPED = frozenset(("the", "a", "an", "our", "its", "their"))
_COPULAS = frozenset(("is", "are", "was", "were", "s"))
_QUANTITY_WORDS = frozenset(("quantity", "units", "qty"))
_QUANTITY_VERBS = frozenset(("sold", "shipped", "ordered", "bought", "purchased", "delivered"))
_ROUNDED = frozenset(("avg", "median"))
# "Order value" after a table with no phrase for it: which amount (with or without the
# cancelled orders a metric leaves out?) is a guess; declined rather than counted.
_NEVER_GUESSED = frozenset(("value",))
_KIND_OF_WORD = {"amount": money_like, "spend": money_like, "spending": money_like,
                 "value": money_like,
                 "length": duration_like, "duration": duration_like}
_PERCENTILE = re.compile(r"p\d{1,2}")
_PERCENTILE_SQL = {"duckdb": "QUANTILE_CONT(__x__, {q})",
                   "postgres": "PERCENTILE_CONT({q}) WITHIN GROUP (ORDER BY __x__)"}
_MEDIAN_DIALECTS = frozenset(("duckdb", "postgres"))


@dataclass(frozen=True)
class Column:
    entity: str
    name: str


def numeric_columns(entities: list[Entity]) -> dict[tuple[str, str], str]:
    """(entity, dimension) -> the SQL of every numeric column that is a quantity: not a key,
    not a join column, not virtual."""
    found: dict[tuple[str, str], str] = {}
    for entity in entities:
        joined = {j.join_columns.from_ for j in entity.joins if j.join_columns is not None}
        for d in entity.dimensions:
            if d.type == "number" and not d.primary_key and not d.virtual \
                    and d.expression not in joined and d.name not in joined:
                found[(entity.name, d.name)] = d.expression
    return found


def measure_name(kind: str, entity: Entity, column: str, sql: str) -> str:
    """The layer's measure of ``kind`` over the column, else ``kind:column``."""
    if kind in _ROUNDED or _PERCENTILE.fullmatch(kind):
        return f"{kind}:{column}"  # shown to two places, as people read an average
    for measure in entity.measures:
        if measure.type == kind and (measure.sql or "").strip() == sql:
            return measure.name
    return f"{kind}:{column}"


def column_aggregate(name: str) -> tuple[str, str] | None:
    """``avg:l_quantity`` -> (avg, l_quantity); None for a layer measure's own name."""
    kind, _, column = name.partition(":")
    known = kind in KINDS or _PERCENTILE.fullmatch(kind) is not None
    return (kind, column) if column and known else None


def kind_words(kind: str) -> str:
    """``avg`` -> average, ``p90`` -> 90th percentile."""
    if _PERCENTILE.fullmatch(kind):
        return f"{kind[1:]}th percentile"
    return KIND_WORDS[kind]


def aggregate_expr(kind: str, inner: exp.Expr, dialect: str,
                   divisor: float | None = None) -> exp.Expr | None:
    """The aggregate, divided by ``divisor`` to show it in another unit (then rounded)."""
    if kind == "median" and dialect not in _MEDIAN_DIALECTS:
        return None
    if _PERCENTILE.fullmatch(kind):
        return _percentile(int(kind[1:]) / 100, inner, dialect)
    functions: dict[str, type[exp.Func]] = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min,
                                            "max": exp.Max, "median": exp.Median}
    value: exp.Expr = functions[kind](this=inner)
    if divisor is not None:
        value = exp.Div(this=value, expression=exp.Literal.number(repr(float(divisor))))
    elif kind not in _ROUNDED:
        return value
    if dialect == "postgres":  # ROUND(double precision, int) does not exist there
        value = exp.Cast(this=value, to=exp.DataType.build("decimal"))
    return exp.Round(this=value, decimals=exp.Literal.number(2))


def _percentile(fraction: float, inner: exp.Expr, dialect: str) -> exp.Expr | None:
    """The continuous percentile, rounded to two places (DuckDB and PostgreSQL only)."""
    template = _PERCENTILE_SQL.get(dialect)
    if template is None:
        return None
    tree = sqlglot.parse_one(template.format(q=fraction), read=dialect)
    value = tree.transform(lambda node: inner.copy() if isinstance(node, exp.Column)
                           and node.name == "__x__" else node)
    value = exp.Cast(this=value, to=exp.DataType.build("decimal(38, 6)"))
    return exp.Round(this=value, decimals=exp.Literal.number(2))


class Aggregates:
    def __init__(self, entities: list[Entity]) -> None:
        self.entities = {e.name: e for e in entities}
        self.numeric = numeric_columns(entities)
        self.dates = {(e.name, d.name): d.expression for e in entities for d in e.dimensions
                      if d.type in ("date", "timestamp") and not d.virtual}

    def read(self, reading: Reading, count_cue: bool, listing: bool) -> None:
        """Rewrite the mentions of ``reading`` whose numeric column an aggregate word
        governs into measure mentions, taking the word out of the loose words."""
        self._kind_words(reading)
        mentions = []
        for mention in reading.mentions:
            mentions.append(self._rewrite(reading, mention, count_cue, listing))
        reading.mentions = mentions

    def _rewrite(self, reading: Reading, mention: Mention, count_cue: bool,
                 listing: bool) -> Mention:
        columns = [r for r in mention.of("dimension") if (r.entity, r.name) in self.numeric]
        if mention.measure_like:  # "total quantity sold": the measure's verb is taken too
            self._quantity_sold(reading, mention, mention.of("measure"))
        if not columns and not mention.measure_like:
            return self._dated(reading, mention)
        if not columns or mention.measure_like or mention.of("ambiguous"):
            return mention
        kind, start = self._operator(reading, mention)
        own_entity = {r.name for r in mention.of("entity")} & {r.entity for r in columns}
        if kind is None and own_entity and not (count_cue or listing):
            kind, start = "sum", mention.start  # "sales per month": the amount, not a count
        if self._quantity_sold(reading, mention, columns) and kind is None:
            kind, start = "sum", mention.start  # "quantity shipped": how many units in all
        if kind is None:
            return mention
        refs = {self._ref(kind, ref) for ref in columns}
        return Mention(start, mention.end, frozenset(refs))

    def _kind_words(self, reading: Reading) -> None:
        """"Invoice amount", "track length": a word for a kind of quantity right after an
        entity is that entity's one column of the kind (money, duration); none or several
        leave the word unexplained."""
        for token in list(reading.loose):
            wanted = _KIND_OF_WORD.get(token.text)
            before = [m for m in reading.mentions if m.end == token.index
                      and m.kinds <= {"entity", "metric"} and len(m.of("entity")) == 1]
            if wanted is None or not before:
                continue
            entity = self.entities[before[0].of("entity")[0].name]
            found = [d for d in entity.dimensions
                     if (entity.name, d.name) in self.numeric and wanted(d)]
            if len(found) != 1 or token.text in _NEVER_GUESSED:  # "order value": not a count
                raise Declined(f'I can\'t tell which column of {entity.name} "{token.text}" '
                               f"means ({', '.join(d.name for d in found) or 'none'}).")
            reading.loose.remove(token)
            ref = Ref("dimension", found[0].name, entity.name)
            reading.mentions = [Mention(m.start, token.index + 1, frozenset({ref}))
                                if m is before[0] else m for m in reading.mentions]

    def _dated(self, reading: Reading, mention: Mention) -> Mention:
        """"The earliest order date": the minimum of a date column; "when was the first
        invoice": of the entity's one date column."""
        columns = [r for r in mention.of("dimension") if (r.entity, r.name) in self.dates]
        if mention.kinds == {"entity"} and "when" in reading.words:
            entities = [r.name for r in mention.of("entity")]
            columns = [Ref("dimension", c, e) for (e, c) in self.dates if entities == [e]]
            columns = columns if len(columns) == 1 else []
        index = mention.start - 1
        while index >= 0 and reading.tokens[index].text in _SKIPPED:
            index -= 1
        word = reading.tokens[index] if index >= 0 else None
        if not columns or word is None or word.text not in DATE_WORDS or word not in reading.loose:
            return mention
        reading.loose.remove(word)
        kind = DATE_WORDS[word.text]
        refs = {Ref("measure", f"{kind}:{r.name}", r.entity) for r in columns}
        return Mention(index, mention.end, frozenset(refs))

    def _ref(self, kind: str, ref: Ref) -> Ref:
        entity = self.entities[ref.entity or ""]
        sql = self.numeric[(entity.name, ref.name)]
        return Ref("measure", measure_name(kind, entity, ref.name, sql), entity.name)

    def _operator(self, reading: Reading, mention: Mention) -> tuple[str | None, int]:
        tokens = reading.tokens
        own = tokens[mention.start].text
        if own in AGGREGATE_WORDS and mention.end - mention.start > 1:
            return AGGREGATE_WORDS[own], mention.start
        index = mention.start - 1
        owner = self._owner_before(reading, mention)
        if owner is not None:  # "the lowest customer account balance"
            index = owner.start - 1
        while index >= 0 and tokens[index].text in _SKIPPED:
            index -= 1
        if index < 0:
            return None, mention.start
        word = tokens[index]
        if word.text == PCT and reading.percentile is not None:
            kind, reading.percentile = f"p{reading.percentile}", None  # taken
            return kind, index
        if word.text in AGGREGATE_WORDS and word in reading.loose:
            reading.loose.remove(word)
            return AGGREGATE_WORDS[word.text], index
        if word.text == SUP and self._lone_superlative(reading):
            descending = reading.ranking is None or reading.ranking.descending
            reading.ranking = None
            return ("max" if descending else "min"), index
        return None, mention.start

    @staticmethod
    def _quantity_sold(reading: Reading, mention: Mention, columns: list[Ref]) -> bool:
        """"Quantity sold", "units shipped": a quantity column before a verb of moving goods
        is its sum (the verb is taken)."""
        after = reading.tokens[mention.end] if mention.end < len(reading.tokens) else None
        quantity = all(set(syn.name_phrases(r.name)[-1].split()) & _QUANTITY_WORDS
                       for r in columns)
        if after is None or after.text not in _QUANTITY_VERBS or not quantity:
            return False
        if after in reading.loose:
            reading.loose.remove(after)
        return True

    @staticmethod
    def _owner_before(reading: Reading, mention: Mention) -> Mention | None:
        """The entity mention right before a column of its own."""
        before = [m for m in reading.mentions if m.end == mention.start]
        if not before or before[0].kinds != {"entity"}:
            return None
        owners = {r.name for r in before[0].refs}
        own = any(r.entity in owners for r in mention.of("dimension"))
        return before[0] if own else None

    @staticmethod
    def _lone_superlative(reading: Reading) -> bool:
        """"The highest order value": a maximum, unless something is ranked by it ("which
        region has the highest ...")."""
        words = reading.words
        asks_which = any(w in ("which", "who") or (w == "what" and after not in _COPULAS)
                         for w, after in zip(words, [*words[1:], ""], strict=True))
        return words.count(SUP) == 1 and HEAD not in words and not asks_which
