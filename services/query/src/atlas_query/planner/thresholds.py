"""Thresholds in words: "orders over 300000", "a discount above 5%", "longer than 10
minutes", "more than 20 orders".

The comparison and its number are cut out of the question first (a ``<cmp>`` marker stays in
their place), so that what stands before and after can be read: a numeric column or an
entity's one amount column before it filters rows; an entity after it ("customers with more
than 20 orders") is counted per group and the groups are kept by ``HAVING``. Units are
converted to the column's own: percent of a fraction column, minutes of a milliseconds column,
dollars of a cents column; a unit the column does not say is declined, never assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from atlas_query.planner import synonyms as syn
from atlas_query.semantic import Dimension

CMP, UNIT = "<cmp>", "<unit>"
_IN_UNIT = re.compile(
    r"\b(?:in|as(?: a)?) (percent|percentage|milliseconds|seconds|minutes|hours|dollars)\b")
_OPS = {"more than": ">", "greater than": ">", "longer than": ">", "over": ">", "above": ">",
        "at least": ">=", "less than": "<", "fewer than": "<", "shorter than": "<",
        "under": "<", "below": "<", "at most": "<=", "priced at": "=", "costing": "=",
        "exactly": "="}
_PATTERN = re.compile(
    r"\b(more than|greater than|longer than|shorter than|less than|fewer than|at least|"
    r"at most|over|above|under|below|priced at|costing|exactly) (\$ ?)?(\d+(?:\.\d+)?)"
    r"(?: ?(%)| (percent|milliseconds?|seconds?|minutes?|hours?)\b)?")
_TIME_UNITS = {"milliseconds": 0.001, "ms": 0.001, "seconds": 1.0, "secs": 1.0, "sec": 1.0,
               "minutes": 60.0, "mins": 60.0, "hours": 3600.0, "hrs": 3600.0}
_MONEY_WORDS = frozenset(("price", "total", "amount", "cost", "revenue", "sales", "value",
                          "balance", "spend", "paid", "payment", "cents", "usd", "fee"))
_DURATION_WORDS = frozenset(("duration", "length", "milliseconds", "seconds", "minutes",
                             "hours", "ms", "secs"))


@dataclass(frozen=True)
class Threshold:
    op: str
    number: float
    money: bool = False
    percent: bool = False
    unit: str | None = None  # a time unit the number is written in
    length: bool = False  # "longer / shorter than": a duration

    def compare(self, column: Dimension) -> float | None:
        """The number in the column's own unit; None when the units do not meet."""
        words = column_words(column)
        value = self.number
        if self.percent:
            if not _fraction(column) and not words & {"pct", "percent", "percentage"}:
                return None
            value = value / 100 if _fraction(column) else value
        if self.money:
            if not money_like(column):
                return None
            value = value * 100 if "cents" in words else value
        if self.unit is not None or self.length:
            stored = next((_TIME_UNITS[w] for w in words if w in _TIME_UNITS), None)
            if stored is None or self.unit is None:
                return None
            value = value * _TIME_UNITS[self.unit] / stored
        return round(value, 6)  # 19.99 dollars is 1999 cents, not 1998.9999999999998


def find(text: str) -> tuple[Threshold, int, int] | None:
    """The one comparison of ``text`` with its span; None for none (or several)."""
    found = list(_PATTERN.finditer(text))
    if len(found) != 1:
        return None
    match = found[0]
    words, dollar, number, percent, unit = match.groups()
    priced = words in ("priced at", "costing")  # a price is money even without "$"
    threshold = Threshold(_OPS[words], float(number), money=bool(dollar) or priced,
                          percent=bool(percent) or unit == "percent",
                          unit=_plural(unit) if _plural(unit) in _TIME_UNITS else None,
                          length=words in ("longer than", "shorter than"))
    return threshold, match.start(), match.end()


_CHANGE = re.compile(r"\b(day|week|month|quarter|year) over \1 (growth|change)\b"
                     r"|\b(growth|change) (?:of |in )?(?:the )?(day|week|month|quarter|year) "
                     r"over \4\b")


def period_change(text: str) -> tuple[str, str, int, int] | None:
    """"month-over-month growth": (month, growth) and its span."""
    found = list(_CHANGE.finditer(text))
    if len(found) != 1:
        return None
    unit = found[0].group(1) or found[0].group(4)
    kind = found[0].group(2) or found[0].group(3)
    return unit, kind, found[0].start(), found[0].end()


_COLUMN_COMPARE = re.compile(r"\b([a-z]+ed) (after|before|later than|earlier than) "
                             r"(?:their|its|the) ")


def column_compare(text: str) -> tuple[str, str, int, int] | None:
    """"received after their commit date": (received, >) and the span up to the second
    column's phrase."""
    found = list(_COLUMN_COMPARE.finditer(text))
    if len(found) != 1:
        return None
    op = ">" if found[0].group(2) in ("after", "later than") else "<"
    return found[0].group(1), op, found[0].start(), found[0].end()


def unit_in(text: str) -> tuple[str, int, int] | None:
    """"in minutes", "in percent": the unit the asker wants a value shown in."""
    found = list(_IN_UNIT.finditer(text))
    if len(found) != 1:
        return None
    unit = found[0].group(1)
    return ("percent" if unit.startswith("percent") else unit), found[0].start(), found[0].end()


def divisor(column: Dimension, unit: str) -> float | None:
    """What the column's values are divided by to show them in ``unit``: minutes of a
    milliseconds column (60000), percent of a fraction (0.01); None when unknown."""
    if unit == "percent":
        return 0.01 if _fraction(column) else None
    words = column_words(column) | set(syn.name_words(column.name))
    if unit == "dollars":  # cents shown in dollars; a plain money column as it is
        return 100.0 if "cents" in words else (1.0 if money_like(column) else None)
    stored = next((_TIME_UNITS[w] for w in words if w in _TIME_UNITS), None)
    return None if stored is None else _TIME_UNITS[unit] / stored


def _plural(unit: str | None) -> str | None:
    return unit if unit is None or unit.endswith("s") or unit == "percent" else f"{unit}s"


def column_words(column: Dimension) -> set[str]:
    """The words of a column's name as people say them (``o_totalprice``: total, price)."""
    return {word for phrase in syn.name_phrases(column.name) for word in phrase.split()}


def money_like(column: Dimension) -> bool:
    words = column_words(column)
    return column.semantic_type == "currency" or bool(words & _MONEY_WORDS)


def duration_like(column: Dimension) -> bool:
    return bool(column_words(column) & _DURATION_WORDS)


def _fraction(column: Dimension) -> bool:
    """A column whose sample values are all between 0 and 1: a fraction (0.05 is 5 %)."""
    values = column.sample_values
    try:
        return bool(values) and all(0 <= float(v) <= 1 for v in values)
    except (TypeError, ValueError):
        return False
