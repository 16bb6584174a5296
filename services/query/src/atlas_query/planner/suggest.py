"""For a question the planner declines: the closest metrics and entities, and questions it
can answer instead (the catalog's common questions and the metrics, each checked by planning
it once)."""

from __future__ import annotations

from atlas_query.planner.planning import Planning
from atlas_query.planner.text import OPERATORS, STOPWORDS, stems
from atlas_query.planner.vocabulary import Vocabulary

MAX_SUGGESTIONS = 4


class Suggester:
    def __init__(self, vocab: Vocabulary, planning: Planning) -> None:
        self.vocab = vocab
        self._planning = planning
        self._checked: list[str] | None = None

    def candidates(self) -> list[str]:
        questions = [q for source in self.vocab.layer.sources if source.catalog
                     for item in source.catalog.entities for q in item.common_questions]
        questions += [f"What is the {(m.label or m.id.replace('_', ' ')).lower()}?"
                      for m in self.vocab.layer.metrics if m.type != "breakdown"]
        return list(dict.fromkeys(questions))

    def answerable(self) -> list[str]:
        if self._checked is None:
            self._checked = [q for q in self.candidates() if self._planning.answerable(q)]
        return self._checked

    def suggestions(self, question: str) -> list[str]:
        words = _content(question)
        ranked = sorted(self.answerable(), key=lambda q: -len(words & _content(q)))
        return ranked[:MAX_SUGGESTIONS]

    def closest(self, question: str) -> list[str]:
        """Up to three metrics and three entities sharing the most words with the question."""
        words = _content(question)
        metrics = [(len(words & self._words(("metric", "", m.id))), m.label or m.id)
                   for m in self.vocab.layer.metrics]
        entities = [(len(words & self._words(("entity", "", e.name))), e.name)
                    for e in self.vocab.layer.entities]
        return _best(metrics) + _best(entities)

    def _words(self, key: tuple[str, ...]) -> set[str]:
        return self.vocab.context.get(key, set())


def _content(text: str) -> set[str]:
    return {w for w in stems(text) if w not in STOPWORDS and w not in OPERATORS}


def _best(scored: list[tuple[int, str]]) -> list[str]:
    ranked = sorted(scored, key=lambda item: (-item[0], item[1]))
    return [name for score, name in ranked[:3] if score > 0] or [name for _, name in ranked[:2]]
