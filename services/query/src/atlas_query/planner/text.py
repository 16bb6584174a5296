"""Words of a question: normalisation, tokens with light stems, and generic English word classes.

Nothing here knows a layer: the classes are plain English (function words, light verbs,
operators). Layer words come from :mod:`atlas_query.planner.vocabulary`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)?|[a-z][a-z0-9]*(?:'[a-z]+)?|[#$%]")
_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")


@dataclass(frozen=True)
class Token:
    text: str
    stem: str
    index: int


def normalize(text: str) -> str:
    """Lower case, plain quotes, ``&`` as ``and``, word hyphens as spaces, one space."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    text = _HYPHEN.sub(" ", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    return re.sub(r"\s+", " ", text).strip()


def tokenize(text: str) -> list[Token]:
    """Tokens of already normalised text; possessives (``user's``) lose their ``'s``."""
    words = [re.sub(r"'s?$", "", w) for w in _TOKEN.findall(text)]
    return [Token(w, stem(w), i) for i, w in enumerate(w for w in words if w)]


@lru_cache(maxsize=4096)
def stems(text: str) -> tuple[str, ...]:
    return tuple(token.stem for token in tokenize(normalize(text)))


_PLURALS = (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"),
            ("uses", "us"))


def stem(word: str) -> str:
    """A light, symmetric stem: plurals to singular. Applied to layer and question alike."""
    if not word.isalpha() or len(word) <= 3:
        return word
    for suffix, replacement in _PLURALS:
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)] + replacement
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and politeness: they never change what is asked.
STOPWORDS = _words("""
a an the of for in on at to from with into onto within about as and than then
is are was were be been being am do does did done have has had having there here
i we you they it its our my your their us me them this that these those
what which who whom whose how when where please show list give tell find get display see
know want need let can could would should will shall may might must also just so overall
all any every each per by across total number count overall altogether currently right now
up far ever yet one ones some kind much many whole entire breakdown broken down split grouped
group summary summarize report value values data figure figures stats statistics did done
still compare comparison via something anything
""")

# Verbs that only say an event happened ("orders placed", "users came from").
LIGHT_VERBS = _words("""
placed place make made create created happen happened got gets get come came comes bring
brings brought generate generated record recorded have had has
""")

# Words that change the computation. They must be matched by a layer phrase or a grammar
# rule, never explained away by context: a question that keeps one gets "I can't answer".
OPERATORS = _words("""
average avg mean median sum ratio rate percent percentage share proportion growth grow grew
change changed difference increase increased decrease decreased drop dropped cumulative
running distinct unique maximum minimum max min first new returning repeat churn churned
retention retained lifetime not no without except excluding exclude non more less fewer
greater above below under over least most before after since until till ago next future
forecast predict projected why cohort funnel per capita typical expected estimate only
""")

NEGATIONS = _words("not no without except excluding exclude non")
COUNT_CUES = (("how", "many"), ("number", "of"), ("count", "of"), ("count",), ("#",))
GROUP_CUES = (("broken", "down", "by"), ("split", "by"), ("grouped", "by"), ("for", "each"),
              ("by",), ("per",), ("each",), ("across",), ("every",))
LIST_VERBS = _words("list show display")
WHICH_WORDS = _words("which what")


def root(word: str) -> str:
    """A rough verb root for comparing word forms: opened / opens / open -> open."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def is_number(word: str) -> bool:
    return bool(re.fullmatch(r"\d+(?:\.\d+)?", word))
