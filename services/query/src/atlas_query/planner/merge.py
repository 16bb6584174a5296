"""A follow-up merged into the previous question, as one full question the planner reads as
usual: "GMV by country last month" + "the week before" / "in 2025" / "top 5" / "what about
France" / "for the pro plan".

The follow-up's range replaces the previous one (or is added; "compared with" keeps both),
"the <unit> before" becomes the named range before it, its ranking replaces the previous
ranking's number or direction ("the bottom 3", "and the least?") or is added, a value of a
column the previous question already filters on replaces that value; whatever is left of the
follow-up (filters, "by country", "per month") is added. ``None`` when the two do not fit
together (a word to change is not there, a unit word that names no range); the caller then
plans the follow-up alone.
"""

from __future__ import annotations

import re
from datetime import datetime

from atlas_query.planner import shift
from atlas_query.planner.reading import Mention, Reading, read
from atlas_query.planner.text import NEGATIONS, STOPWORDS, normalize
from atlas_query.planner.time import parse_time
from atlas_query.planner.vocabulary import Vocabulary

_COMPARE = re.compile(r"\b(?:compared? (?:with|to)|vs\.?|versus|against)\s*$")
_ONE = re.compile(r"\b(?:which|what) one\b|\bthe one\b")
_UNITS = re.compile(r"\b(?:day|week|month|quarter|year)s?\b")
_RANK = re.compile(r"\b(top|bottom) (\d{1,4})\b|\b(top|bottom)\b")
_NUMBERED = [re.compile(r"\b(?:top|bottom) \d{1,4}\b"),
             re.compile(r"\b(?:which|what) (?:are )?(?:the )?(\d{1,4})\b"),
             re.compile(r"\b(\d{1,4}) (?:most|highest|largest|biggest|best|greatest|least"
                        r"|fewest|lowest|smallest|worst)\b")]
_OPPOSITE = {"most": "fewest", "highest": "lowest", "largest": "smallest", "biggest": "smallest",
             "best": "worst", "greatest": "least"}
_LOW = frozenset(_OPPOSITE.values())
_OPPOSITE |= {"fewest": "most", "least": "most", "lowest": "highest", "smallest": "largest",
              "worst": "best"}


class Merge:
    def __init__(self, previous: str, fragment: str, vocab: Vocabulary, now: datetime) -> None:
        self.text = previous.strip().rstrip("?.! ")
        self.rest = fragment
        self.vocab = vocab
        self.now = now
        self.changed = False

    def question(self) -> str | None:
        try:
            if not (self._time() and self._ranking() and self._values()
                    and self._no_loose_unit()):
                return None
        except _Unfit:
            return None
        rest = self.rest.strip(" ,;")
        if all(word in STOPWORDS for word in normalize(rest).split()):
            rest = ""
        if not rest and not self.changed:
            return None  # nothing to refine with ("ok")
        return f"{self.text} {rest}".strip()

    # --- time ------------------------------------------------------------------------------

    def _time(self) -> bool:
        own = normalize(self.text)
        spec = parse_time(own, self.now)
        said = normalize(self.rest)
        asked = shift.request(said)
        if asked is not None:
            if len(spec.ranges) != 1:
                return False
            span = shift.before(spec.ranges[0], asked)
            words = shift.phrase(*span, self.now) if span is not None else None
            if words is None:
                return False
            return self._new_time(own, spec.range_spans, said, asked.text, words)
        wanted = parse_time(said, self.now)
        if not wanted.ranges:
            return True
        if len(spec.ranges) > 1 and not wanted.compare:
            return False  # one range for a comparison of two: which one?
        words = said[wanted.range_spans[0][0]:wanted.range_spans[-1][1]]
        return self._new_time(own, spec.range_spans, said, words, words)

    def _new_time(self, own: str, spans: list[tuple[int, int]], said: str, found: str,
                  words: str) -> bool:
        """The previous range becomes ``words``; "compared with <range>" compares the two."""
        before = said[:said.find(found)]
        compare = _COMPARE.search(before)
        if compare is not None:
            if len(spans) != 1:
                return False
            self.rest = _cut(self.rest, compare.group(0))
            words = f"{own[spans[0][0]:spans[0][1]]} vs {words}"
        self.rest = _cut(self.rest, found)
        self.changed = True
        if not spans:
            self.text = f"{self.text} {words}"
        else:
            self.text = _replace(self.text, own[spans[0][0]:spans[-1][1]], words)
        return True

    def _no_loose_unit(self) -> bool:
        """"What about the whole week?": a unit that names no range or grain is not guessed."""
        said = normalize(self.rest)
        spans = parse_time(said, self.now).spans
        return all(any(s <= unit.start() < e for s, e in spans) for unit in _UNITS.finditer(said))

    # --- ranking ---------------------------------------------------------------------------

    def _ranking(self) -> bool:
        found = _RANK.search(normalize(self.rest))
        if found is None:
            return self._superlative()
        self.rest = _cut(self.rest, found.group(0))
        self.changed = True
        bottom = (found.group(1) or found.group(3)) == "bottom"
        number = found.group(2)
        own = normalize(self.text)
        head = _NUMBERED[0].search(own)
        if head is not None:
            kept = number or head.group(0).split()[1]
            self.text = _replace(self.text, head.group(0),
                                 f"{'bottom' if bottom else 'top'} {kept}")
            return True
        for pattern in _NUMBERED[1:]:
            match = pattern.search(own)
            if match is not None:
                if number is None:
                    return False
                self.text = _replace(self.text, match.group(0),
                                     match.group(0).replace(match.group(1), number))
                return self._direction(bottom)
        self.text = f"{self.text} {found.group(0)}"
        return True

    def _superlative(self) -> bool:
        """"And the least?" after "which country has the most users": the other end."""
        said = [w for w in normalize(self.rest).split() if w in _OPPOSITE]
        own = normalize(self.text)
        if len(set(said)) > 1:
            return False
        if not said or not (_RANK.search(own) or any(w in _OPPOSITE for w in own.split())):
            return self._which_one(said)
        self.rest = _cut(self.rest, said[0])
        self.changed = True
        head = _NUMBERED[0].search(own)
        if head is not None:
            number = head.group(0).split()[1]
            self.text = _replace(self.text, head.group(0),
                                 f"{'bottom' if said[0] in _LOW else 'top'} {number}")
            return True
        return self._direction(said[0] in _LOW)

    def _which_one(self, said: list[str]) -> bool:
        """"Which one had the most?" after a breakdown: its top 1. Other superlatives go in
        as they are."""
        one = _ONE.search(normalize(self.rest))
        if not said or one is None:
            return True
        self.rest = _cut(_cut(self.rest, one.group(0)), said[0])
        self.text = f"{self.text} {'bottom' if said[0] in _LOW else 'top'} 1"
        self.changed = True
        return True

    def _direction(self, bottom: bool) -> bool:
        """"The bottom 3" after "which 5 had the highest": the superlative turns round."""
        own = normalize(self.text)
        said = [w for w in own.split() if w in _OPPOSITE]
        if len(said) != 1:
            return not said and not bottom
        if (said[0] in _LOW) != bottom:
            self.text = _replace(self.text, said[0], _OPPOSITE[said[0]])
        return True

    # --- values ----------------------------------------------------------------------------

    def _values(self) -> bool:
        """"What about France?" after "users in Germany": France replaces Germany ("France and
        Spain": both do)."""
        said = read(self.rest, self.vocab, self.now)
        own = read(self.text, self.vocab, self.now)
        swaps: dict[int, list[str]] = {}
        for mention in [m for m in said.mentions if m.top == "value"]:
            if _negated(said, mention):
                continue
            columns = _columns(mention)
            targets = [i for i, m in enumerate(own.mentions)
                       if m.top == "value" and _columns(m) & columns]
            if len(targets) > 1:
                return False  # "France or Spain", then "what about Italy?"
            if targets:
                swaps.setdefault(targets[0], []).append(_words(said, mention))
        for index, news in swaps.items():
            written = [_found(self.rest, new) for new in news]
            self.text = _replace(self.text, _words(own, own.mentions[index]), " or ".join(written))
            for new in news:
                self.rest = _cut(self.rest, new)
            self.changed = True
        return True


def _columns(mention: Mention) -> set[tuple[str | None, str]]:
    return {(ref.entity, ref.name) for ref in mention.of("value")}


def _negated(reading: Reading, mention: Mention) -> bool:
    return any(t.text in NEGATIONS for t in reading.tokens[max(0, mention.start - 3):mention.start])


def _words(reading: Reading, mention: Mention) -> str:
    return " ".join(t.text for t in reading.tokens[mention.start:mention.end])


def _pattern(words: str) -> re.Pattern[str]:
    """Normalised words as they may be written: any case, hyphens or extra spaces between."""
    parts = [re.escape(w) for w in words.split()]
    return re.compile(r"(?<![\w-])" + r"[\s\-]+".join(parts) + r"(?![\w-])", re.I)


def _found(text: str, words: str) -> str:
    """``words`` as written in ``text`` ("Germany", not "germany")."""
    match = _pattern(words).search(text)
    return match.group(0) if match else words


class _Unfit(Exception):
    """The words to change are not in the previous question as read."""


def _replace(text: str, words: str, new: str) -> str:
    pattern = _pattern(words)
    for version in (text, normalize(text)):  # written differently ("&"): the normalised text
        if pattern.search(version) is not None:
            return pattern.sub(lambda _: new, version, count=1)
    raise _Unfit(words)


def _cut(text: str, words: str) -> str:
    return re.sub(r"\s+", " ", _pattern(words).sub(" ", text, count=1)).strip()
