"""A reply to a clarifying question ("net revenue" after "revenue can mean ...") becomes the
original question with the ambiguous term replaced by the chosen option."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from atlas_query.planner.clarify import CLARIFY_PREFIX, option_label
from atlas_query.planner.synonyms import parenthesized
from atlas_query.planner.text import STOPWORDS, stems
from atlas_query.planner.vocabulary import Vocabulary

_TERM = re.compile(r'^"([^"]+)" can mean')
_MAX_REPLY_WORDS = 8


class Turn(Protocol):
    @property
    def role(self) -> str: ...

    @property
    def content(self) -> str: ...


def follow_up(question: str, history: Sequence[Turn], vocab: Vocabulary) -> str:
    """The question to plan: ``question`` itself, or the clarified earlier question."""
    if len(history) < 2 or len(question.split()) > _MAX_REPLY_WORDS:
        return question
    asked, replied = history[-2], history[-1]
    if asked.role != "user" or replied.role != "assistant" or CLARIFY_PREFIX not in replied.content:
        return question
    match = _TERM.match(replied.content)
    body = vocab.ambiguous.get(match.group(1)) if match else None
    if match is None or body is None:
        return question
    option = _chosen(question, [option_label(m) for m in body.possible_mappings])
    if option is None:
        return question
    words = parenthesized(option) or [option]
    return re.sub(rf"\b{re.escape(match.group(1))}\b", words[0], asked.content, flags=re.I)


def _chosen(reply: str, options: list[str]) -> str | None:
    said = {w for w in stems(reply) if w not in STOPWORDS}
    if not said:
        return None
    found = [o for o in options if said <= set(stems(o)) or set(stems(o)) - STOPWORDS <= said]
    return found[0] if len(found) == 1 else None
