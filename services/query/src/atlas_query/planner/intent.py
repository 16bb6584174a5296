"""From roles to an intent: what to measure (a metric, a measure, or rows of an entity), how
to group, filter and rank it. Still in the layer's names, before joins and SQL.

An ambiguous glossary term stays open unless an entity the question names has a dimension or
measure of that very name ("orders by status"); then it is that column. Words that nothing in
the layer explains, and operators no rule consumed, stop planning before any guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from atlas_query.planner import synonyms as syn
from atlas_query.planner.clarify import clarify_term
from atlas_query.planner.clarify import question as clarify_question
from atlas_query.planner.conditions import (
    ColumnCompare,
    Having,
    RowCondition,
    read_condition,
    read_versus,
)
from atlas_query.planner.operators import (
    AGGREGATE_WORDS,
    Aggregates,
    column_aggregate,
    kind_words,
)
from atlas_query.planner.plan import Ambiguous, Clarify, Declined
from atlas_query.planner.reading import MARKERS, Mention, Reading
from atlas_query.planner.refs import Ref
from atlas_query.planner.roles import Role, assign, role_of
from atlas_query.planner.text import (
    COUNT_CUES,
    LIST_VERBS,
    NEGATIONS,
    OPERATORS,
    is_number,
    stem,
    stems,
)
from atlas_query.planner.verbs import Verbs
from atlas_query.planner.vocabulary import Vocabulary
from atlas_query.semantic import Entity


@dataclass
class Intent:
    reading: Reading
    roles: list[Role]
    target: Ref | None = None  # a metric or a measure
    subject: str | None = None  # the entity whose rows are counted or listed
    distinct: list[Ref] = field(default_factory=list)  # "how many countries"
    groups: list[Role] = field(default_factory=list)
    listing: bool = False
    count_cue: bool = False
    condition: RowCondition | None = None  # "orders over 300000"
    having: Having | None = None  # "customers with more than 20 orders"
    unique: str | None = None  # "unique customers": the entity whose keys are counted
    unique_over: str | None = None  # "... bought something": the table whose rows they are
    versus: ColumnCompare | None = None  # "received after their commit date"
    counted: str | None = None  # "the most popular ship mode": whose rows are counted
    share: bool = False  # "what share of orders are urgent": a percentage of the whole

    def of_kind(self, *kinds: str) -> list[Role]:
        return [role for role in self.roles if role.kind in kinds]

    @property
    def entity_roles(self) -> list[Role]:
        return self.of_kind("entity")


class IntentReader:
    def __init__(self, vocab: Vocabulary, time_types: Mapping[tuple[str, str], str]) -> None:
        self.vocab = vocab
        self.time_types = time_types
        self.aggregates = Aggregates(vocab.layer.entities)
        self.verbs = Verbs(vocab.layer.entities, vocab.layer.metrics)
        self.known = {word for words in vocab.context.values() for word in words}
        self.known |= {word for phrase in vocab.phrases for word in phrase}
        self.known |= {stem(word) for phrase in vocab.values for word in phrase}

    def read(self, reading: Reading) -> Intent:
        listing = any(w in LIST_VERBS for w in reading.words)
        self.aggregates.read(reading, _has_count_cue(reading), listing)
        if reading.percentile is not None:
            raise Declined("I can only take a percentile of a numeric column.")
        self._aggregate_of_ambiguous(reading)
        verb = self.verbs.read(reading)
        unique = _unique_mention(reading)
        over = self.verbs.rows_of(reading, unique.of("entity")[0].name) if unique else None
        share = _share_word(reading)
        self._check_words(reading)
        roles = assign(reading, self.time_types)
        roles = [self._settle(reading, role, roles) for role in roles]
        intent = Intent(reading, roles, count_cue=_has_count_cue(reading))
        found = read_condition(reading, roles, self.vocab.entities, set(self.aggregates.numeric),
                               _cue_end(reading))
        intent.condition = found if isinstance(found, RowCondition) else None
        intent.having = found if isinstance(found, Having) else None
        intent.versus = read_versus(reading, roles, self.vocab.entities, set(self.time_types))
        intent.counted = self.verbs.settle(reading, verb, roles)
        _present(reading, roles)
        roles = intent.roles = roles if share else _value_groups(roles)
        intent.share = share
        for role in intent.of_kind("group") if share else []:
            if role.mention.kinds == {"value"}:  # "what is the return rate": a part, not a group
                role.kind, role.values = "filter", role.mention.of("value")
        self._unique(intent, unique)
        intent.unique_over = over
        self._target(intent)
        _unique_over_table(intent)
        if verb is not None and verb.target is not None and intent.target is None:
            intent.target = verb.target  # "top 5 spenders": by what they spent
        self._distinct(intent)
        self._which_column(intent)
        self._subject(intent)
        intent.groups = [r for r in intent.roles if r.kind == "group"]
        for role in intent.of_kind("dimension"):
            raise Declined(f'I see "{_words(reading, role.mention)}" but not what to do with it.')
        return intent

    def _aggregate_of_ambiguous(self, reading: Reading) -> None:
        """"What is the average price?" where "price" is an ambiguous glossary term: ask
        which, rather than decline the aggregate word."""
        for mention in reading.mentions:
            ambiguous = mention.of("ambiguous")
            before = [t for t in reading.loose if t.index == mention.start - 1
                      and t.text in AGGREGATE_WORDS]
            if ambiguous and before and ambiguous[0].name in self.vocab.ambiguous:
                term = ambiguous[0].name
                raise Ambiguous(clarify_term(term, self.vocab.ambiguous[term]))

    def _check_words(self, reading: Reading) -> None:
        for token in reading.loose:
            word = token.text
            if reading.filler(word) or word in MARKERS or word in NEGATIONS:
                continue
            if is_number(word) or word in OPERATORS or token.stem not in self.known:
                raise Declined(f'I don\'t know what "{word}" means in this data.')

    def _settle(self, reading: Reading, role: Role, roles: list[Role]) -> Role:
        if role.kind != "ambiguous":
            return role
        term = role.mention.of("ambiguous")[0].name
        named = {r.entity or r.name for other in roles if other is not role
                 for r in other.mention.refs if r.kind in ("entity", "measure", "dimension")}
        found = self._columns_named(term, named)
        if not found:
            raise Ambiguous(clarify_term(term, self.vocab.ambiguous[term]))
        return role_of(reading, Mention(role.mention.start, role.mention.end, frozenset(found)),
                       self.time_types)

    def _one_unit(self, mention: Mention) -> Mention:
        """The same quantity in two units ("amount" and "amount_cents") is one candidate:
        the one without a unit word (the display unit), when that is all that differs."""
        measures = mention.of("measure")
        if len(measures) < 2 or len({r.entity for r in measures}) != 1:
            return mention
        entity = self.vocab.entities[measures[0].entity or ""]
        columns = {ref: self._column_of(entity, ref) for ref in measures}
        if None in columns.values():
            return mention
        bases = {syn.name_phrases(c or "")[-1] for c in columns.values()}
        plain = [ref for ref, c in columns.items()
                 if not set(syn.name_words(c or "")) & _UNIT_WORDS]
        if len(bases) != 1 or len(plain) != 1:
            return mention
        others = {r for r in mention.refs if r.kind != "measure"}
        return Mention(mention.start, mention.end, frozenset(others | set(plain)))

    @staticmethod
    def _column_of(entity: Entity, ref: Ref) -> str | None:
        """The column a sum / average measure is over (``sum:amount_cents`` or a layer
        measure whose SQL is one column)."""
        found = column_aggregate(ref.name)
        if found is not None:
            return found[1]
        measure = next((m for m in entity.measures if m.name == ref.name), None)
        sql = (measure.sql or "").strip() if measure else ""
        return next((d.name for d in entity.dimensions if sql in (d.name, d.expression)), None)

    def _columns_named(self, term: str, entities: set[str]) -> list[Ref]:
        """Columns of the named entities called ``term``; else the one whose name ends in it
        ("country" of invoices: their billing country)."""
        wanted = stems(term)
        found, headed = [], []
        for name in entities:
            entity = self.vocab.entities.get(name)
            for column in (entity.dimensions if entity else []):
                phrases = [stems(p) for p in syn.name_phrases(column.name)]
                if wanted in phrases:
                    found.append(Ref("dimension", column.name, name))
                elif column.type == "string" and not column.virtual and any(
                        p[-len(wanted):] == wanted for p in phrases if len(p) > len(wanted)):
                    headed.append(Ref("dimension", column.name, name))
        return found or (headed if len(headed) == 1 else [])

    def _target(self, intent: Intent) -> None:
        ranked = intent.of_kind("measure", "order")
        pure = [r for r in ranked if r.mention.measure_like and not r.mention.of("entity")]
        dual = [r for r in ranked if r.mention.measure_like and r.mention.of("entity")]
        if not pure and dual and self._lists(intent):
            for role in dual:
                role.kind = "entity"
            dual = []
        named = _named_entities(intent.roles, pure)
        tables = _named_tables(intent.roles, pure)
        targets = {_pick(intent.reading, self._one_unit(_narrow(_narrow(r.mention, tables),
                                                                named)))
                   for r in (pure or dual)}
        if len(targets) > 1:
            names = ", ".join(sorted(t.name for t in targets))
            raise Declined(f"The question asks for several measures at once ({names}); "
                           "I answer one at a time.")
        intent.target = targets.pop() if targets else None
        _one_measure(intent)
        for role in dual if pure else []:
            role.kind = "entity" if role.kind == "measure" else role.kind
        for role in intent.of_kind("order"):
            if not role.mention.measure_like and role.mention.of("entity"):
                role.kind = "entity"

    @staticmethod
    def _lists(intent: Intent) -> bool:
        """"Show orders from yesterday": rows, unless something is grouped or counted."""
        spec = intent.reading.time
        grouped = intent.of_kind("group") and intent.reading.ranking is None
        return (any(w in LIST_VERBS for w in intent.reading.words) and not intent.count_cue
                and not grouped and not (spec.grain or spec.auto_grain or spec.compare))

    @staticmethod
    def _unique(intent: Intent, mention: Mention | None) -> None:
        """"How many unique customers placed orders": the distinct keys of an entity, counted
        over the rows of another (the orders) or over whatever the rest of the question is
        about."""
        for role in intent.roles if mention is not None else []:
            if role.mention == mention and role.kind == "entity":
                role.kind = "unique"
                intent.unique = mention.of("entity")[0].name

    def _which_column(self, intent: Intent) -> None:
        """"Account balance by nation" where customers and suppliers both have one: a
        number named alone, on several tables, asks whose."""
        if intent.target is not None or intent.distinct:
            return
        for role in intent.of_kind("dimension"):
            refs = [r for r in role.mention.of("dimension")
                    if (r.entity, r.name) in self.aggregates.numeric]
            if len({r.entity for r in refs}) > 1:
                words = _words(intent.reading, role.mention)
                options = [f"{words} of {' '.join(syn.name_words(r.entity or ''))}"
                           for r in refs]
                options = list(dict.fromkeys(options))
                raise Ambiguous(Clarify(words, options, clarify_question(words, options)))

    def _distinct(self, intent: Intent) -> None:
        """``how many countries``: a count of the distinct values of a dimension."""
        if intent.target is not None or not intent.count_cue:
            return
        first = next((r for r in intent.roles if r.mention.start >= _cue_end(intent.reading)),
                     None)
        if first is not None and first.kind in ("dimension", "group") and not first.which \
                and first.mention.of("dimension"):
            intent.distinct = first.mention.of("dimension")
            first.kind = "distinct"

    def _subject(self, intent: Intent) -> None:
        if intent.target is not None or intent.distinct:
            return
        names = {r.name for role in intent.entity_roles for r in role.mention.of("entity")}
        if not names:
            which = [g for g in intent.of_kind("group") if g.which and g.mention.of("entity")]
            if len(which) == 1 and not intent.count_cue:
                which[0].kind = "entity"
                intent.listing = True
                names = {which[0].mention.of("entity")[0].name}
        if not names and intent.counted:
            names = {intent.counted}
        if not names and intent.unique:
            return  # the base is what the groups and filters are about: Measures decides
        if not names:
            names = {r.owner for r in intent.of_kind("filter") if r.owner}
        if not names:
            names = {v.entity for r in intent.of_kind("filter") for v in r.values if v.entity}
        if len(names) != 1:
            raise Declined("I can't tell what to count or list." if not names else
                           f"The question names several tables ({', '.join(sorted(names))}) "
                           "and I can't tell which one to count.")
        intent.subject = names.pop()
        intent.listing = intent.listing or self._lists(intent)


UNIQUE_WORDS = frozenset(("unique", "different", "distinct"))
_HAVE = frozenset(("have", "has", "with", "without"))


def _unique_over_table(intent: Intent) -> None:
    """"Unique organizations opened tickets": the tickets (a count metric as well as a
    table) are the rows counted over, not a second measure."""
    if intent.unique is None or intent.target is None:
        return
    measured = [r for r in intent.roles if intent.target in r.mention.refs]
    if not measured or not all(r.mention.of("entity") for r in measured):
        raise Declined("The question asks for unique values and a measure at once; I answer "
                       "one at a time.")
    for role in measured:
        role.kind = "entity"
    intent.target = None


def _value_groups(roles: list[Role]) -> list[Role]:
    """"Which sales support agent has the most customers": a value asked with "which" is the
    rows of its table that have it, each one a group (and the value a filter)."""
    found: list[Role] = []
    for role in roles:
        values = role.mention.of("value")
        owners = {v.entity for v in values}
        if role.kind == "group" and role.which and role.mention.kinds == {"value"} \
                and len(owners) == 1:
            entity = Mention(role.mention.start, role.mention.end,
                             frozenset({Ref("entity", owners.pop() or "")}))
            found += [Role(entity, "group", which=True),
                      Role(role.mention, "filter", values=values)]
        else:
            found.append(role)
    return found


def _present(reading: Reading, roles: list[Role]) -> None:
    """"Customers that have a company": a text column that is filled in (IS NOT NULL);
    "without a company": empty."""
    words = reading.words
    for role in roles:
        start = role.mention.start
        article = start >= 2 and words[start - 1] in ("a", "an")
        dims = role.mention.of("dimension")
        if role.kind == "dimension" and article and words[start - 2] in _HAVE and dims:
            role.kind = "present"
            role.negated = words[start - 2] == "without" or role.negated
SHARE_WORDS = frozenset(("share", "percentage", "proportion", "fraction", "rate", "percent"))


def _share_word(reading: Reading) -> bool:
    """"What share of ...", "return rate": one share word, taken here; the resolver makes the
    question's filters the part of the whole (or the groups the parts)."""
    found = [t for t in reading.loose if t.text in SHARE_WORDS]
    if len(found) != 1:
        return False
    reading.loose.remove(found[0])
    return True


def _unique_mention(reading: Reading) -> Mention | None:
    """The one entity right after "unique" / "different" in a count; the word is taken."""
    if not _has_count_cue(reading):
        return None
    for mention in reading.mentions:
        word = [t for t in reading.loose if t.index == mention.start - 1
                and t.text in UNIQUE_WORDS]
        if word and mention.kinds == {"entity"} and len(mention.of("entity")) == 1:
            reading.loose.remove(word[0])
            return mention
    return None


def _pick(reading: Reading, mention: Mention) -> Ref:
    for kind in ("metric", "measure"):
        found = mention.of(kind)
        if len(found) == 1:
            return found[0]
        if len(found) > 1 and kind == "measure":
            raise Ambiguous(_which_measure(_words(reading, mention), found))
        if len(found) > 1:
            raise Declined(f'"{_words(reading, mention)}" names several '
                           f'{kind}s: {", ".join(r.name for r in found)}.')
    raise Declined(f'"{_words(reading, mention)}" is not something I can measure.')


_UNIT_WORDS = frozenset(("cents", "usd", "eur", "gbp", "pct", "ms"))
_SAID = {"avg": "average", "min": "minimum", "max": "maximum", "qty": "quantity"}


def _which_measure(words: str, found: list[Ref]) -> Clarify:
    """"What is the average price?" with several prices: ask which, in words, each option
    once ("average retail price of part")."""
    options = []
    for ref in found:
        aggregate = column_aggregate(ref.name)
        said = f"{kind_words(aggregate[0])} {syn.name_phrases(aggregate[1])[-1]}" if aggregate \
            else " ".join(_SAID.get(w, w) for w in syn.name_words(ref.name))
        options.append(f"{said} of {' '.join(syn.name_words(ref.entity or ''))}")
    options = list(dict.fromkeys(options))
    if len(options) < 2:  # the same words for all: no question a person could answer
        raise Declined(f'"{words}" names several measures I can\'t tell apart.')
    return Clarify(words, options, clarify_question(words, options))


def _two_counts(intent: Intent) -> None:
    """"Number of invoices and customers by country": two tables counted; answering one
    would drop half the question."""
    if not intent.count_cue:
        return
    for first, second in itertools.pairwise(intent.roles):
        between = [t.text for t in intent.reading.tokens[first.mention.end:second.mention.start]]
        counted = first.mention.of("entity") or any(
            r.name.endswith("count") for r in first.mention.of("measure", "metric"))
        table = second.mention.of("entity") and not second.mention.of("dimension")
        if counted and table and between == ["and"]:
            raise Declined("The question counts two tables at once; I answer one at a time.")


def _one_measure(intent: Intent) -> None:
    """"Number of line items and total quantity": a count and a measure; answering one of
    them would drop half the question."""
    _two_counts(intent)
    if intent.target is None or not intent.count_cue:
        return
    end = _cue_end(intent.reading)
    first = next((r for r in intent.roles if r.mention.start >= end), None)
    measured = [r for r in intent.roles if intent.target in r.mention.refs]
    between = [t.text for r in measured if first is not None
               for t in intent.reading.tokens[first.mention.end:r.mention.start]]
    if first is not None and first.kind == "entity" and "and" in between:
        raise Declined("The question asks for several measures at once (a count and "
                       f"{intent.target.name}); I answer one at a time.")


def _named_entities(roles: list[Role], measured: list[Role]) -> set[str]:
    """The entities the rest of the question names, itself or through a column of theirs."""
    return {r.entity or r.name for role in roles if role not in measured
            for r in role.mention.refs if r.kind in ("entity", "dimension", "value")}


def _named_tables(roles: list[Role], measured: list[Role]) -> set[str]:
    """The tables the rest of the question names as tables ("of billing events")."""
    return {r.name for role in roles if role not in measured for r in role.mention.of("entity")}


def _narrow(mention: Mention, named: set[str]) -> Mention:
    """"account balance of customers by market segment": of several measures of one phrase,
    those of an entity the question names otherwise."""
    measures = mention.of("measure")
    kept = [r for r in measures if r.entity in named]
    if len(measures) < 2 or not kept:
        return mention
    others = {r for r in mention.refs if r.kind != "measure"}
    return Mention(mention.start, mention.end, frozenset(others | set(kept)))


def _words(reading: Reading, mention: Mention) -> str:
    return " ".join(t.text for t in reading.tokens[mention.start:mention.end])


def _has_count_cue(reading: Reading) -> bool:
    return _cue_end(reading) >= 0


def _cue_end(reading: Reading) -> int:
    words = reading.words
    for cue in COUNT_CUES:
        for i in range(len(words) - len(cue) + 1):
            if tuple(words[i:i + len(cue)]) == cue:
                return i + len(cue)
    return -1
