"""Synonyms written in a layer's free text, read by format-level conventions only.

Layers say what else a thing is called in a few recurring ways, and only those are read:
``"quoted phrases"``, ``Also X, Y and Z.`` / ``also called X`` / ``Synonyms: X, Y``, and the
first parenthetical list of an entity's description (``Customer orders (purchases, ...)``).
Names are split (``OrderItems``, ``signup_source``) and lose unit words (``price_cents``).
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"\"([^\"]{2,40})\"")
_ALSO = re.compile(r"\b(?:also(?: called| known as)?|aka|synonyms?:)\s+([^.;:)(]+)", re.I)
_PAREN = re.compile(r"\(([^()]*)\)")
_SPLIT = re.compile(r",|\band\b|\bor\b|/")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UNITS = frozenset(("cents", "usd", "eur", "gbp", "pct", "minutes", "mins", "hours", "hrs",
                    "seconds", "secs", "ms"))
_PREFIXES = frozenset(("is", "has"))
_AGGREGATES = {"avg": ("average", "avg"), "min": ("minimum", "min"), "max": ("maximum", "max")}
_MAX_WORDS = 4
_HEADS = ("price", "cost", "date", "amount", "quantity", "total", "status", "priority",
          "segment", "mode", "balance", "number", "name", "type", "size", "count", "item")
# Abbreviations common in column names, read as the words people say.
_ABBREVIATIONS = {"mkt": "market", "acct": "account", "bal": "balance", "qty": "quantity",
                  "amt": "amount", "num": "number", "cust": "customer", "addr": "address",
                  "desc": "description", "acctbal": "account balance"}


def quoted(text: str) -> list[str]:
    return [phrase.strip() for phrase in _QUOTED.findall(text or "")]


def also_lists(text: str) -> list[str]:
    """Items of ``Also X, Y and Z.``, ``(also called X, Y)`` and ``Synonyms: X, Y``."""
    items: list[str] = []
    for match in _ALSO.finditer(text or ""):
        items.extend(_items(match.group(1)))
    return items


def leading_parenthetical(text: str) -> list[str]:
    """The short comma list in the first sentence's first parentheses, if it is one."""
    first_sentence = re.split(r"(?<=[.!?])\s", text or "", maxsplit=1)[0]
    match = _PAREN.search(first_sentence)
    if match is None or re.search(r"\d", match.group(1)):
        return []
    items = _items(match.group(1))
    return items if len(items) >= 2 and all(len(i.split()) <= 3 for i in items) else []


def _items(text: str) -> list[str]:
    items = [item.strip().strip("\"'").strip() for item in _SPLIT.split(text)]
    return [item for item in items if item and len(item.split()) <= _MAX_WORDS]


def name_words(name: str) -> list[str]:
    """``OrderItems`` -> [order, items]; ``signup_source`` -> [signup, source]."""
    spaced = _CAMEL.sub(" ", name).replace("_", " ").replace(".", " ")
    return [word.lower() for word in spaced.split()]


def name_phrases(name: str, heads: bool = False) -> list[str]:
    """The name as words, and again without unit words, ``is_``/``has_``, time suffixes and
    one-letter table prefixes, with glued words split; ``heads``: a column's head noun alone
    too ("price"), for a dimension (ties between tables are settled or asked later)."""
    words = name_words(name)
    phrases = [" ".join(words)]
    trimmed = [w for w in words if w not in _UNITS]
    if trimmed and trimmed[0] in _PREFIXES:
        trimmed = trimmed[1:]
    if len(trimmed) > 1 and trimmed[-1] in ("at", "on"):
        trimmed = trimmed[:-1]
    if len(trimmed) > 1 and len(trimmed[0]) == 1:
        trimmed = trimmed[1:]  # TPC-H style table prefixes: o_totalprice
    split = [_ABBREVIATIONS.get(part, part) for word in trimmed
             for part in split_compound(word)]
    if trimmed and trimmed != words:
        phrases.append(" ".join(trimmed))
    if split != trimmed:  # totalprice -> total price, and the head noun alone: price
        phrases += [" ".join(split), *split[-1:] * heads]
    return list(dict.fromkeys(phrases))


def split_compound(word: str) -> list[str]:
    """``totalprice`` -> [total, price]: a word glued to a common head noun of column names
    (the prefix at least three letters, so ``update`` stays whole)."""
    for head in _HEADS:
        if word.endswith(head) and len(word) - len(head) >= 3 and word.isalpha():
            return [word[: -len(head)], head]
    return [word]


def measure_phrases(name: str, kind: str | None) -> list[str]:
    """A measure's name phrases, with ``avg_x`` also read as ``average x`` and ``x_count`` as
    ``number of x``."""
    phrases: list[str] = []
    for phrase in name_phrases(name):
        words = phrase.split()
        for alias in _AGGREGATES.get(words[0], (words[0],)):
            phrases.append(" ".join([alias, *words[1:]]))
        counted = kind in ("count", "count_distinct", "count_where")
        if counted and words[-1] == "count" and len(words) > 1:
            phrases.append("number of " + " ".join(words[:-1]))
    return list(dict.fromkeys(phrases))


def strip_parens(text: str) -> str:
    return re.sub(r"\s+", " ", _PAREN.sub(" ", text)).strip()


def parenthesized(text: str) -> list[str]:
    return [part.strip() for part in _PAREN.findall(text)]
