"""An index of a layer's words: every phrase that names a metric, measure, entity, dimension,
sample value or ambiguous glossary term, and the descriptive words around each of them.

Built once per layer. Phrases are stored as tuples of stems (:func:`text.stems`), so lookups
are dictionary hits. Nothing here knows any particular layer.
"""

from __future__ import annotations

import re
from collections import defaultdict

from atlas_query.planner import synonyms as syn
from atlas_query.planner.glossary import entity_of_table, glossary_entries
from atlas_query.planner.refs import Ref
from atlas_query.planner.text import OPERATORS, STOPWORDS, normalize, stems, tokenize
from atlas_query.semantic import Entity, Metric, SemanticLayer

Phrase = tuple[str, ...]
_FILLER = STOPWORDS | OPERATORS


_RANKED = re.compile(r"^\d{1,2}\s*-\s*([A-Za-z].*)$")


class Vocabulary:
    def __init__(self, layer: SemanticLayer) -> None:
        self.layer = layer
        self.entities: dict[str, Entity] = {e.name: e for e in layer.entities}
        self.metrics: dict[str, Metric] = {m.id: m for m in layer.metrics}
        self.ambiguous = {t: b for t, b in layer.glossary.items() if b.status == "ambiguous"}
        self.phrases: dict[Phrase, set[Ref]] = defaultdict(set)
        self.values: dict[Phrase, set[Ref]] = defaultdict(set)  # sample values, word for word
        # Values of several words also by stem ("protected AAC audio files"): no verb reading.
        self.long_values: dict[Phrase, set[Ref]] = defaultdict(set)
        self.context: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._blocked = {stems(term) for term in self.ambiguous}
        self._entity_names = {e.name: self._entity_phrases(e) for e in layer.entities}
        for term in self.ambiguous:
            self.add(term, Ref("ambiguous", term))
        for entity in layer.entities:
            self._index_entity(entity)
        for metric in layer.metrics:
            self._index_metric(metric)
        for phrase, ref, definition in glossary_entries(layer):
            self.add(phrase, ref)
            self.describe(ref, definition)
        self.max_len = max((len(p) for p in [*self.phrases, *self.values]), default=1)

    def lookup(self, phrase: Phrase, words: Phrase) -> set[Ref]:
        """What a run of tokens names: layer phrases by stem, sample values word for word
        ("open" is a status, "opens" is a verb)."""
        found = self.phrases.get(phrase, set()) | self.values.get(words, set())
        return found | self.long_values.get(phrase, set()) if len(phrase) > 1 else found

    def add(self, phrase: str, ref: Ref) -> None:
        key = stems(phrase)
        if not key or all(word in _FILLER for word in key) or key[0].isdigit():
            return
        if ref.kind != "ambiguous" and key in self._blocked:
            return  # a glossary term the layer calls ambiguous is never a plain synonym
        self.phrases[key].add(ref)

    def describe(self, ref: Ref, text: str) -> None:
        self.context[ref.key].update(stems(text))

    def entity_of_table(self, table: str) -> Entity | None:
        return entity_of_table(self.layer, table)

    def _entity_phrases(self, entity: Entity) -> set[Phrase]:
        names = syn.name_phrases(entity.name) + syn.name_phrases(entity.table.split(".")[-1])
        return {stems(name) for name in names}

    def _mentions_other_entity(self, phrase: str, entity: Entity) -> bool:
        words = stems(phrase)
        return any(_contains(words, other) for name, phrases in self._entity_names.items()
                   if name != entity.name for other in phrases)

    def _index_entity(self, entity: Entity) -> None:
        ref = Ref("entity", entity.name)
        for name in syn.name_phrases(entity.name) + syn.name_phrases(entity.table.split(".")[-1]):
            self.add(name, ref)
        text = entity.description
        extra = syn.leading_parenthetical(text) + syn.quoted(text) + syn.also_lists(text)
        for phrase in extra:
            if not self._mentions_other_entity(phrase, entity):
                self.add(phrase, ref)
        self._describe_entity(entity, ref)
        for dimension in entity.dimensions:
            self._index_dimension(entity, dimension.name, dimension.description,
                                  dimension.sample_values)
        for measure in entity.measures:
            mref = Ref("measure", measure.name, entity.name)
            phrases = syn.measure_phrases(measure.name, measure.type)
            for phrase in phrases + _free(measure.description):
                self.add(phrase, mref)
            self.describe(mref, measure.description)

    def _describe_entity(self, entity: Entity, ref: Ref) -> None:
        texts = [entity.description, entity.grain, *entity.use_cases,
                 *(p.description for p in entity.query_patterns)]
        for source in self.layer.sources:
            for item in source.catalog.entities if source.catalog else []:
                if item.name.lower() == entity.name.lower():
                    texts += [item.description, item.grain, *item.use_for, *item.common_questions]
        for text in texts:
            self.describe(ref, text)

    def _index_dimension(self, entity: Entity, name: str, description: str,
                         samples: list[object]) -> None:
        ref = Ref("dimension", name, entity.name)
        for phrase in syn.name_phrases(name, heads=True) + _free(description):
            self.add(phrase, ref)
        if all(word in _FILLER for word in stems(name)):  # "Total": said "invoice total"
            self.add(f"{' '.join(syn.name_words(entity.name))} {name}", ref)
        self.describe(ref, description)
        for value in samples:
            words = tuple(t.text for t in tokenize(normalize(str(value))))
            if isinstance(value, str) and len(value) > 1 and words:
                self.values[words].add(Ref("value", name, entity.name, value))
                if len(words) > 1:
                    self.long_values[stems(value)].add(Ref("value", name, entity.name, value))
                ranked = _RANKED.match(value)  # "1-URGENT" is also said "urgent"
                if ranked is not None:
                    rest = tuple(t.text for t in tokenize(normalize(ranked.group(1))))
                    self.values[rest].add(Ref("value", name, entity.name, value))

    def _index_metric(self, metric: Metric) -> None:
        ref = Ref("metric", metric.id)
        label = metric.label or ""
        labels = [label, syn.strip_parens(label)]
        labels += [text.replace(" by ", f" {word} ") for text in labels if " by " in text
                   for word in ("per", "for each", "by each")]
        for phrase in [*syn.name_phrases(metric.id), *labels, *syn.parenthesized(label),
                       *_free(metric.description)]:
            self.add(phrase, ref)
        self.describe(ref, f"{label}. {metric.description}")


def _free(text: str) -> list[str]:
    return syn.quoted(text) + syn.also_lists(text)


def _contains(words: Phrase, part: Phrase) -> bool:
    n = len(part)
    return any(words[i:i + n] == part for i in range(len(words) - n + 1))
