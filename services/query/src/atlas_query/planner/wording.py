"""The last check before a plan is trusted: every word of the question is accounted for.

Words no layer phrase took must be function words, light verbs ("placed", "came"), or words
the layer itself uses around what was chosen (its descriptions, use cases and catalog
questions). A negation must have been applied. Anything else means the question says
something the plan does not do, so the planner declines instead of answering another question.
"""

from __future__ import annotations

from atlas_query.planner.intent import Intent
from atlas_query.planner.plan import Declined
from atlas_query.planner.reading import MARKERS
from atlas_query.planner.text import NEGATIONS
from atlas_query.planner.vocabulary import Vocabulary


class WordCheck:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def check(self, intent: Intent, keys: set[tuple[str, ...]]) -> None:
        context: set[str] = set()
        for key in keys:
            context |= self.vocab.context.get(key, set())
        negated = any(role.negated for role in intent.roles)
        for token in intent.reading.loose:
            word = token.text
            if intent.reading.filler(word) or word in MARKERS:
                continue
            if word in NEGATIONS:
                if negated:
                    continue
                raise Declined(f'I can\'t tell what "{word}" applies to in this question.')
            if token.stem not in context or word in intent.reading.names:
                raise Declined(f'I don\'t know what "{word}" means for this question.')
