"""Defined glossary terms: what each names in the layer, so its synonyms can point there.

A defined term maps, in this order, to the one metric whose id or label is the term (give or
take function words; atomic metrics before breakdowns), to the dimensions of that name in the
term's tables, to the entity of that name, or to the one sample value its definition quotes
("Orders with status refunded" -> that filter). A term that maps to nothing adds no phrase,
so its words stay unexplained: the planner says it cannot answer rather than guess.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from atlas_query.planner import synonyms as syn
from atlas_query.planner.refs import Ref
from atlas_query.planner.text import STOPWORDS, stems
from atlas_query.semantic import Entity, GlossaryTerm, Metric, SemanticLayer


class GlossaryEntry(NamedTuple):
    """A phrase that names ``ref``, and the definition that describes it."""

    phrase: str
    ref: Ref
    definition: str


def entity_of_table(layer: SemanticLayer, table: str) -> Entity | None:
    return layer.entity(table) or layer.entity(table.split(".")[-1])


def glossary_entries(layer: SemanticLayer) -> list[GlossaryEntry]:
    """Every phrase the layer's defined glossary terms add: a pure function of the layer."""
    return GlossaryMapper(layer).entries()


class GlossaryMapper:
    def __init__(self, layer: SemanticLayer) -> None:
        self.layer = layer
        self.entities: dict[str, Entity] = {e.name: e for e in layer.entities}
        self.metrics: dict[str, Metric] = {m.id: m for m in layer.metrics}

    def entries(self) -> list[GlossaryEntry]:
        found = []
        for term, body in self.layer.glossary.items():
            if body.status != "defined":
                continue
            definition = body.definition or ""
            for ref in self.targets(term, body):
                for phrase in [term, *syn.also_lists(definition)]:
                    found.append(GlossaryEntry(phrase, ref, definition))
        return found

    def targets(self, term: str, body: GlossaryTerm) -> list[Ref]:
        entities = self._entities(body)
        return (self._metric(term) or self._dimensions(term, entities)
                or self._entity(term, entities) or self._value(body, entities))

    def _entities(self, body: GlossaryTerm) -> list[Entity]:
        found = [entity_of_table(self.layer, table) for table in body.tables]
        listed = [entity for entity in found if entity is not None]
        return listed or list(self.entities.values())

    def _metric(self, term: str) -> list[Ref]:
        wanted = set(stems(term))
        found = [m for m in self.metrics.values()
                 if m.type != "breakdown" and _names_metric(wanted, m)]
        return [Ref("metric", found[0].id)] if len(found) == 1 else []

    def _dimensions(self, term: str, entities: list[Entity]) -> list[Ref]:
        wanted = stems(term)
        refs = []
        for entity in entities:
            prefixes = [()] + [stems(w) for w in syn.name_phrases(entity.name)]
            for dimension in entity.dimensions:
                names = [stems(p) for p in syn.name_phrases(dimension.name)]
                if any(prefix + name == wanted for prefix in prefixes for name in names):
                    refs.append(Ref("dimension", dimension.name, entity.name))
        return refs

    def _entity(self, term: str, entities: list[Entity]) -> list[Ref]:
        wanted = stems(term)
        return [Ref("entity", e.name) for e in entities
                if any(stems(p) == wanted for p in syn.name_phrases(e.name))]

    def _value(self, body: GlossaryTerm, entities: list[Entity]) -> list[Ref]:
        text = body.definition or ""
        found = {Ref("value", d.name, e.name, v) for e in entities for d in e.dimensions
                 for v in d.sample_values
                 if isinstance(v, str) and re.search(rf"\b{re.escape(v)}\b", text, re.I)}
        return list(found) if len(found) == 1 else []


def _names_metric(wanted: set[str], metric: Metric) -> bool:
    label = metric.label or ""
    names = [" ".join(syn.name_words(metric.id)), label, syn.strip_parens(label),
             *syn.parenthesized(label)]
    for name in names:
        words = set(stems(name))
        if words and wanted <= words and (words - wanted) <= STOPWORDS:
            return True
    return False
