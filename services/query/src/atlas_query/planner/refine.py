"""Follow-ups: the question a turn of a conversation stands for, given the turns before it.

Three cases, in this order. A reply to a clarifying question is the clarified question
(:mod:`followup`). A question with its own measure or entity ("How many users are in
France?") stands on its own. Anything else that leans on the conversation ("and the month
before?", "only for Germany", "break that down by category", "top 5?") is merged into the
previous user question, itself resolved the same way, into one full question
(:mod:`merge`) — but only when that previous question could be planned: otherwise, and when
the two do not fit together, the follow-up is planned alone (and usually declined), never
guessed. After a clarifying question the reply is merged into the question asked only if
that makes it plan ("opened", for which time column). Only user turns are read; an assistant
turn matters only as a clarifying question, so a chat client's texts work like stored turns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from atlas_query.planner.clarify import CLARIFY_PREFIX
from atlas_query.planner.followup import Turn, follow_up
from atlas_query.planner.merge import Merge
from atlas_query.planner.plan import Ambiguous, Declined, Plan
from atlas_query.planner.planning import Planning
from atlas_query.planner.reading import read
from atlas_query.planner.roles import assign
from atlas_query.planner.text import COUNT_CUES, LIST_VERBS, WHICH_WORDS
from atlas_query.planner.vocabulary import Vocabulary

_MAX_TURNS = 12  # the turns read back: a chain of refinements rarely runs longer
_LEAD = re.compile(
    r"^(?:and|but|so|ok(?:ay)?|now|then|also|instead|please|well|right|"
    r"(?:and )?(?:what|how) about|what if|"
    r"(?:(?:do|show|give me) )?(?:the )?same(?: thing| again| numbers?| question)?"
    r"(?: but| for| with| in| over| during| on)?|"
    r"(?:(?:can|could) you )?(?:break|split|group|slice|cut|divide)"
    r"(?: (?:that|it|this|them|those|these|the (?:numbers?|results?|data)))?(?: (?:down|up|out))?|"
    r"only|just)(?![\w'])[\s,]*", re.I)
_LEANING = re.compile(r"(?<![\w'])(?:that|it|those|them|these|only|just|instead|again|too|"
                      r"as well|this(?! (?:day|week|month|quarter|year)s?\b))(?![\w'])", re.I)
_NARROWING = re.compile(r"\b(?:only|just|same\b.*\bfor)\b", re.I)
_FOR = re.compile(r"(?:for|from|among)\b", re.I)
_TARGET_ROLES = frozenset(("measure", "order", "entity", "owner"))


@dataclass(frozen=True)
class _Turn:
    role: str
    content: str


@dataclass(frozen=True)
class Fragment:
    text: str  # the follow-up without its leading "and", "what about", "only"...
    leans: bool  # it said so: a leading cue, or "that", "only", "same"
    narrows: bool  # "only ...", "just ...", "same for ...", "for ...": a subset of the same


def fragment(question: str) -> Fragment:
    text = question.strip().rstrip("?.! ")
    leans = narrows = False
    while (found := _LEAD.match(text)) is not None and found.end() > 0:
        cue = found.group(0).lower()
        narrows = narrows or bool(_NARROWING.search(cue))
        text, leans = text[found.end():], True
    kept = _LEANING.sub(" ", text)
    narrows = narrows or bool(_NARROWING.search(text)) or bool(_FOR.match(kept.strip()))
    leans = leans or kept != text
    return Fragment(re.sub(r"\s+", " ", kept).strip(" ,"), leans, narrows)


class Refiner:
    def __init__(self, vocab: Vocabulary, time_types: Mapping[tuple[str, str], str],
                 planning: Planning) -> None:
        self.vocab = vocab
        self.time_types = time_types
        self._planning = planning

    def question(self, question: str, history: Sequence[Turn]) -> str:
        """The full question ``question`` stands for after ``history`` (oldest first)."""
        turns: list[_Turn] = []
        for turn in history[-_MAX_TURNS:]:
            content = self._one(turn.content, turns) if turn.role == "user" else turn.content
            turns.append(_Turn(turn.role, content))
        return self._one(question, turns)

    def _one(self, question: str, turns: Sequence[_Turn]) -> str:
        clarified = follow_up(question, turns, self.vocab)
        if clarified != question:
            return clarified
        previous = next((t.content for t in reversed(turns) if t.role == "user"), None)
        if previous is None:
            return question
        asked = turns[-1].role == "assistant" and CLARIFY_PREFIX in turns[-1].content
        return self.refine(question, previous, asked) or question

    def refine(self, question: str, previous: str, clarifying: bool = False) -> str | None:
        """``question`` merged into ``previous``; ``None`` when it stands alone or cannot be
        merged. After a clarifying question the previous question did not plan: the reply
        ("opened", for which time column) is merged only if that makes it plan."""
        part = fragment(question)
        base = self._planned(previous)
        if (base is None and not clarifying) or (not part.text and not part.leans):
            return None
        if self._stands_alone(question, part, base):
            return None
        merged = Merge(previous, part.text, self.vocab, self._planning.now()).question()
        if base is None and merged is not None and self._planned(merged) is None:
            return None
        return merged

    def _stands_alone(self, question: str, part: Fragment, previous: Plan | None) -> bool:
        reading = read(part.text, self.vocab, self._planning.now())
        own: list[set[tuple[str, ...]]] = []
        roles = assign(reading, self.time_types)
        owners = {role.owner for role in roles if role.kind == "filter" and role.owner}
        for role in roles:
            named = {r.name for r in role.mention.of("entity")}
            if part.narrows and named & owners:
                continue  # "just for business users": whose rows, not what to measure
            if role.kind in _TARGET_ROLES and role.mention.of("metric", "measure", "entity"):
                own.append({r.key for r in role.mention.of("metric", "measure", "entity")})
            elif role.kind == "ambiguous" and not _grouped(reading.words, role.mention.start):
                return True
        if own and previous is None:
            return True
        if own and previous is not None:
            # "just delivered orders" narrows the orders asked about; "users in France" is new
            asked = {("entity", "", previous.base), ("metric", "", previous.metric or "")}
            return not (part.leans and all(keys & asked for keys in own)
                        and not _asks(reading.words))
        if part.leans or not _asks(reading.words):
            return False  # "delivered?", "by country?": nothing of its own to measure
        return self._decides(question)

    def _planned(self, question: str) -> Plan | None:
        try:
            return self._planning.plan_of(question)
        except (Declined, Ambiguous):
            return None

    def _decides(self, question: str) -> bool:
        """Whether the question alone gets an answer or a clarifying question."""
        try:
            self._planning.plan_of(question)
        except Declined:
            return False
        except Ambiguous:
            return True
        return True


def _grouped(words: list[str], start: int) -> bool:
    return start > 0 and words[start - 1] in ("by", "per", "each", "across")


def _asks(words: list[str]) -> bool:
    """A question of its own: "how many ...", "which ...", "list ..."."""
    if words and words[0] in WHICH_WORDS | LIST_VERBS:
        return True
    return any(tuple(words[i:i + len(cue)]) == cue for cue in COUNT_CUES
               for i in range(len(words)))
