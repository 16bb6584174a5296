"""A question read for its parts: time expressions, ranking words, and the layer phrases it
uses (longest match first), with what is left over.

Time and ranking expressions are cut out first and leave marker tokens behind (``<gap>``,
``<head>`` for "top 5", ``<sup>`` for "the most"), so that grammar rules can still see what
stood next to what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from atlas_query.planner.refs import MEASURE_KINDS, PRIORITY, Ref
from atlas_query.planner.text import LIGHT_VERBS, STOPWORDS, Token, normalize, tokenize
from atlas_query.planner.thresholds import (
    CMP,
    UNIT,
    Threshold,
    column_compare,
    find,
    period_change,
    unit_in,
)
from atlas_query.planner.time import TimeSpec, parse_time
from atlas_query.planner.vocabulary import Vocabulary

GAP, HEAD, SUP, VERSUS, PCT = "<gap>", "<head>", "<sup>", "<versus>", "<percentile>"
MARKERS = frozenset((GAP, HEAD, SUP, CMP, UNIT, VERSUS, PCT))
_PERCENTILE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th) percentile(?: of)?\b")
_DESC = ["most", "highest", "largest", "biggest", "best", "greatest", "top"]
_ASC = ["least", "fewest", "lowest", "smallest", "worst", "bottom"]
_SUPERLATIVE = "|".join(_DESC[:-1] + _ASC[:-1])
_RANKING = [
    (re.compile(r"\b(top|bottom) (\d{1,4})\b"), HEAD),
    (re.compile(rf"\b(\d{{1,4}}) ({_SUPERLATIVE})\b"), HEAD),
    (re.compile(r"\b(?:which|what) (?:are )?(?:the )?(\d{1,4})\b"), HEAD),
    (re.compile(r"\b(top|bottom)\b"), HEAD),
    (re.compile(rf"(?<!\bat )\b(?:the )?({_SUPERLATIVE})\b"), SUP),
    (re.compile(r"\b(?:rank|ranked|ranking|sorted|sort)\b(?: of)?"), SUP),
]


@dataclass(frozen=True)
class Ranking:
    descending: bool = True
    limit: int | None = None
    head: bool = False  # "top 5", "which 3": the next phrase is what gets ranked


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    refs: frozenset[Ref]

    def of(self, *kinds: str) -> list[Ref]:
        return sorted((r for r in self.refs if r.kind in kinds), key=lambda r: r.key)

    @property
    def kinds(self) -> set[str]:
        return {r.kind for r in self.refs}

    @property
    def measure_like(self) -> bool:
        return bool(self.kinds & MEASURE_KINDS)

    @property
    def top(self) -> str:
        return max(self.kinds, key=PRIORITY.__getitem__)


@dataclass
class Reading:
    text: str
    tokens: list[Token]
    mentions: list[Mention]
    loose: list[Token]
    time: TimeSpec
    ranking: Ranking | None
    words: list[str] = field(default_factory=list)
    names: frozenset[str] = frozenset()  # "US", "Portugal": written as names
    threshold: Threshold | None = None  # "over 300000": its place is the <cmp> token
    unit: str | None = None  # "in minutes": the unit to show the value in
    change: tuple[str, str] | None = None  # "month-over-month growth": (month, growth)
    versus: tuple[str, str] | None = None  # "received after their ...": (received, >)
    percentile: int | None = None  # "the 90th percentile of": 90, its place <percentile>

    def filler(self, word: str) -> bool:
        """A function word or light verb, unless the asker wrote it as a name."""
        return (word in STOPWORDS or word in LIGHT_VERBS) and word not in self.names


def read(question: str, vocab: Vocabulary, now: datetime) -> Reading:
    text = normalize(question)
    found, unit, change = find(text), unit_in(text), period_change(text)
    marked = [(f[1], f[2], marker) for f, marker in ((found, CMP), (unit, UNIT)) if f]
    marked += [(change[2], change[3], GAP)] if change is not None else []
    versus = column_compare(text)
    marked += [(versus[2], versus[3], VERSUS)] if versus is not None else []
    percentile = list(_PERCENTILE.finditer(text))
    marked += [(m.start(), m.end(), PCT) for m in percentile[:1]] if len(percentile) == 1 else []
    # Blanked before time parsing: "over 2000" is not a year, "in hours" not a range.
    masked = text
    for start, end, _ in marked:
        masked = masked[:start] + " " * (end - start) + masked[end:]
    spec = parse_time(masked, now)
    if change is not None:
        spec.grain = spec.grain or change[0]  # type: ignore[assignment]
    cuts = [(start, end, GAP) for start, end in spec.spans] + marked
    ranking, ranking_cuts = _ranking(masked, cuts)
    tokens = _tokens(text, sorted(cuts + ranking_cuts))
    mentions, loose = match(tokens, vocab)
    return Reading(text, tokens, mentions, loose, spec, ranking, [t.text for t in tokens],
                   names_in(question), found[0] if found is not None else None,
                   unit[0] if unit is not None else None,
                   change[:2] if change is not None else None,
                   versus[:2] if versus is not None else None,
                   int(percentile[0].group(1)) if len(percentile) == 1 else None)


def names_in(question: str) -> frozenset[str]:
    """Words written as names (capitalised past the first word, or acronyms): they must
    name something in the layer, never be explained away. Title Case Questions have none."""
    words = re.findall(r"[A-Za-z][A-Za-z'\-]*", question)
    capitalised = [w for w in words[1:] if w[0].isupper() and w != "I"]
    if len(capitalised) * 2 > max(1, len(words) - 1):
        return frozenset()
    return frozenset(w.lower() for w in capitalised)


def _ranking(text: str, taken: list[tuple[int, int, str]]
             ) -> tuple[Ranking | None, list[tuple[int, int, str]]]:
    cuts: list[tuple[int, int, str]] = []
    limit: int | None = None
    direction: bool | None = None
    head = False
    for pattern, marker in _RANKING:
        for found in pattern.finditer(text):
            if any(s < found.end() and found.start() < e for s, e, _ in taken + cuts):
                continue
            cuts.append((found.start(), found.end(), marker))
            words = found.group(0).split()
            numbers = [int(w) for w in words if w.isdigit()]
            limit = numbers[0] if numbers and limit is None else limit
            if direction is None and any(w in _ASC for w in words):
                direction = False
            elif direction is None and any(w in _DESC for w in words):
                direction = True
            head = head or marker == HEAD
    if not cuts:
        return None, []
    return Ranking(direction is not False, limit, head), cuts


def _tokens(text: str, cuts: list[tuple[int, int, str]]) -> list[Token]:
    words: list[Token] = []
    position = 0
    for start, end, marker in [*cuts, (len(text), len(text), "")]:
        words.extend(tokenize(text[position:start]))
        if marker:
            words.append(Token(marker, marker, 0))
        position = max(position, end)
    return [Token(t.text, t.stem, i) for i, t in enumerate(words)]


def match(tokens: list[Token], vocab: Vocabulary) -> tuple[list[Mention], list[Token]]:
    """Longest layer phrases first, left to right; unmatched tokens are returned as loose."""
    mentions: list[Mention] = []
    loose: list[Token] = []
    index = 0
    while index < len(tokens):
        for size in range(min(vocab.max_len, len(tokens) - index), 0, -1):
            window = tokens[index:index + size]
            refs = vocab.lookup(tuple(t.stem for t in window), tuple(t.text for t in window))
            if refs:
                end, metric = _metric_on_measure(tokens, index, index + size, refs, vocab)
                mentions.append(Mention(index, end, frozenset(refs | metric)))
                index = end
                break
        else:
            if tokens[index].text not in MARKERS:
                loose.append(tokens[index])
            index += 1
    return mentions, loose


def _metric_on_measure(tokens: list[Token], start: int, end: int, refs: set[Ref],
                       vocab: Vocabulary) -> tuple[int, set[Ref]]:
    """"number of buyers" names the measure buyer_count and, inside it, the metric "buyers"
    built on that measure; "average first response time" runs on into the metric "first
    response time". The metric, the layer's definition, is what is meant."""
    measures = {(r.entity, r.name) for r in refs if r.kind == "measure"}
    if not measures or any(r.kind == "metric" for r in refs):
        return end, set()
    found: dict[Ref, int] = {}
    for first in range(start, end):
        for last in range(first + 1, min(len(tokens), end + 3) + 1):
            part = tokens[first:last]
            for ref in vocab.lookup(tuple(t.stem for t in part), tuple(t.text for t in part)):
                source = vocab.metrics[ref.name].source if ref.kind == "metric" else None
                if source is not None and (source.entity, source.measure) in measures:
                    found[ref] = max(found.get(ref, end), last)
    if len(found) != 1:
        return end, set()
    ref, last = found.popitem()
    return last, {ref}
