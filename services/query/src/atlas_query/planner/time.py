"""Time in questions: ranges ("last week", "since March", "between X and Y"), grains ("by
month", "weekly") and comparisons ("this month vs last month").

Ranges are half-open ``[start, end)`` in the planner's time zone (``ATLAS_TIMEZONE``), weeks
start on Monday. ``last <unit>`` is the previous full period; ``last N <units>`` is the
rolling window ending now; ``this <unit>`` is the running period. A month, quarter or day
named without a year is its latest occurrence that has started.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from atlas_query.planner import dates as d

Grain = Literal["day", "week", "month", "quarter", "year", "weekday"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month", "quarter", "year")
_UNIT = r"(day|week|month|quarter|year)s?"
_PRE = r"(?:(?:in|during|for|on|over|within|from|of) )?(?:the )?"


@dataclass(frozen=True)
class TimeRange:
    phrase: str
    start: datetime  # aware, in the planner's time zone
    end: datetime  # exclusive
    running: bool = False  # a period still under way: its label stops at now
    unit: str | None = None  # a rolling window's unit and count ("last 30 days": day, 30)
    count: int = 0

    @property
    def name(self) -> str:
        """The phrase without its leading preposition: "in the last 30 days" -> "last 30
        days"."""
        return re.sub(r"^(?:(?:in|during|for|on|over|within|from|of) )?(?:the )?", "",
                      self.phrase)

    def utc(self) -> tuple[datetime, datetime]:
        """The bounds as naive UTC, the convention for stored timestamps."""
        return _naive_utc(self.start), _naive_utc(self.end)

    def dates(self) -> tuple[date, date]:
        """First and last calendar day covered (the end is exclusive)."""
        return self.start.date(), (self.end - timedelta(microseconds=1)).date()

    def label(self, now: datetime) -> str:
        first, last = self.dates()
        if self.running:
            last = min(last, now.date())
        return d.span_label(first, last)


@dataclass
class TimeSpec:
    ranges: list[TimeRange] = field(default_factory=list)
    grain: Grain | None = None
    auto_grain: bool = False
    compare: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)
    range_spans: list[tuple[int, int]] = field(default_factory=list)
    which: bool = False

    @property
    def range(self) -> TimeRange | None:
        return self.ranges[0] if len(self.ranges) == 1 else None


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class TimeParser:
    """Finds time expressions in normalised text, relative to an aware ``now``."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = now.date()
        self.tz = now.tzinfo
        self.which = False  # "which month ...": one period is asked for

    def parse(self, text: str) -> TimeSpec:
        spec = TimeSpec()
        found_ranges: list[tuple[tuple[int, int], TimeRange]] = []
        for pattern, handler in self._rules():
            for match in pattern.finditer(text):
                if any(s < match.end() and match.start() < e for s, e in spec.spans):
                    continue
                found = handler(match)
                if found is None:
                    continue
                spec.spans.append(match.span())
                if isinstance(found, TimeRange):
                    found_ranges.append((match.span(), found))
                elif found == "auto":
                    spec.auto_grain = True
                else:
                    spec.grain = found  # type: ignore[assignment]
        found_ranges.sort(key=lambda item: item[0])
        spec.ranges = [found for _, found in found_ranges]
        spec.range_spans = [span for span, _ in found_ranges]
        spec.spans.sort()
        spec.which = self.which
        return spec

    def _rules(self) -> list[tuple[re.Pattern[str], _Handler]]:
        date_re = d.DATE
        return [
            (re.compile(rf"\b{_PRE}between ({date_re}) and ({date_re})"), self._between),
            (re.compile(rf"\b{_PRE}from ({date_re}) (?:to|until|through|till) ({date_re})"),
             self._between),
            (re.compile(rf"\bsince ({date_re})"), self._since),
            (re.compile(rf"\beach of (?=(?:the )?(?:last|past) \d+ {_UNIT})"), self._each_of),
            (re.compile(rf"\b{_PRE}(?:last|past|previous|prior) (\d+) {_UNIT}\b"), self._rolling),
            (re.compile(r"\b(year|month|quarter|week) to date\b|\b(ytd|mtd|qtd)\b"), self._to_date),
            (re.compile(rf"\b{_PRE}(this|current|last|previous|prior|past) {_UNIT}\b"),
             self._relative),
            (re.compile(r"\b(?:so far )?(today|yesterday)\b"), self._day_word),
            (re.compile(rf"\b{_PRE}({date_re})"), self._absolute),
            (re.compile(r"\b(?:by|per|on|each) (?:the )?(?:day of (?:the )?week|weekday)\b"),
             lambda m: "weekday"),
            (re.compile(r"\b(?:which|what) (?:day of (?:the )?week|weekday)\b"),
             self._which_weekday),
            (re.compile(r"\b(daily|weekly|monthly|quarterly|yearly|annually|annual)\b"),
             self._grain_word),
            (re.compile(rf"\b(?:by|per|each|every|a) {_UNIT}\b|\b(?:by|per) date\b"),
             self._grain_phrase),
            (re.compile(r"\bover time\b|\btrends?\b|\btrended\b"), lambda m: "auto"),
            (re.compile(rf"\b(?:which|what) (?:{_UNIT[1:-3]})\b"), self._which_grain),
        ]

    def _between(self, match: re.Match[str]) -> TimeRange | None:
        first, second = d.parse_pair(match.group(1), match.group(2), self.today)
        if first is None or second is None or second[1] <= first[0]:
            return None
        return self._range(match.group(0), first[0], second[1])

    def _since(self, match: re.Match[str]) -> TimeRange | None:
        found = d.parse_date(match.group(1), self.today)
        if found is None:
            return None
        return TimeRange(match.group(0), self._at(found[0]), self.now, running=True)

    def _each_of(self, match: re.Match[str]) -> Grain:
        return _grain(match.group(1))

    def _rolling(self, match: re.Match[str]) -> TimeRange | None:
        count, unit = int(match.group(1)), match.group(2)
        if count <= 0:
            return None
        start = d.shift(self.now, unit, -count)
        return TimeRange(match.group(0).strip(), start, self.now, running=True, unit=unit,
                         count=count)

    def _to_date(self, match: re.Match[str]) -> TimeRange:
        unit = match.group(1) or {"ytd": "year", "mtd": "month", "qtd": "quarter"}[match.group(2)]
        start, _ = d.period(self.today, unit)
        return TimeRange(match.group(0), self._at(start), self.now, running=True)

    def _relative(self, match: re.Match[str]) -> TimeRange:
        which, unit = match.group(1), match.group(2)
        phrase = match.group(0).strip()
        if which == "past":  # "the past week": the rolling window
            return TimeRange(phrase, d.shift(self.now, unit, -1), self.now, running=True,
                             unit=unit, count=1)
        back = 0 if which in ("this", "current") else 1
        start, end = d.period(self.today, unit, back)
        return self._range(phrase, start, end, running=back == 0)

    def _day_word(self, match: re.Match[str]) -> TimeRange:
        day = self.today - timedelta(days=0 if match.group(1) == "today" else 1)
        return self._range(match.group(0), day, day + timedelta(days=1), running=True)

    def _absolute(self, match: re.Match[str]) -> TimeRange | None:
        found = d.parse_date(match.group(1), self.today)
        if found is None:
            return None
        start, end = found
        return self._range(match.group(0).strip(), start, end, running=end > self.today)

    def _grain_word(self, match: re.Match[str]) -> Grain:
        return _ADVERBS[match.group(1)]

    def _which_grain(self, match: re.Match[str]) -> Grain:
        self.which = True
        return _grain(match.group(0).split()[1])

    def _which_weekday(self, match: re.Match[str]) -> Grain:
        self.which = True
        return "weekday"

    def _grain_phrase(self, match: re.Match[str]) -> Grain:
        return _grain(match.group(1) or "day")

    def _range(self, phrase: str, start: date, end: date, running: bool = False) -> TimeRange:
        return TimeRange(phrase.strip(), self._at(start), self._at(end), running)

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz)


_Handler = Callable[[re.Match[str]], object]
_ADVERBS: dict[str, Grain] = {"daily": "day", "weekly": "week", "monthly": "month",
                              "quarterly": "quarter", "yearly": "year", "annually": "year",
                              "annual": "year"}


def _grain(word: str) -> Grain:
    word = "day" if word == "date" else word
    for grain in GRAINS:
        if grain == word:
            return grain
    raise ValueError(f"not a grain: {word}")


def parse_time(text: str, now: datetime) -> TimeSpec:
    """The time expressions of normalised ``text``; ``now`` is aware, in the planner's zone."""
    parser = TimeParser(now)
    spec = parser.parse(text)
    _previous_tail(text, spec)
    _over(text, spec, parser)
    spec.compare = spec.compare or (len(spec.ranges) == 2 and _compares(text, spec))
    if spec.compare:
        _settle(spec)
    return spec


def _compares(text: str, spec: TimeSpec) -> bool:
    (_, first_end), (second_start, _) = spec.range_spans
    if text[first_end:second_start].strip(" ,.") not in _CONNECTORS:
        return False
    spec.spans.append((first_end, second_start))
    spec.spans.sort()
    return True


_CONNECTORS = frozenset(("vs", "vs.", "versus", "compared to", "compared with", "against", "and",
                         "with", "to"))
_CONNECTOR = r"(?:vs\.?|versus|compared (?:to|with)|against|and|with|to)"
_PREVIOUS = re.compile(r"\b(?:previous|prior|preceding)\b|\b(?:period|one|day|week|month|"
                       r"quarter|year) before\b")
# "... vs the previous 30", "vs the prior period", "vs the week before": a second window named
# only by the first
_UNITS = _UNIT[1:-3]
_TAIL = re.compile(rf"^\s*,?\s*{_CONNECTOR} (?P<named>(?:the )?(?:(?:previous|prior|preceding) "
                   rf"(?:(?P<count>\d+)(?: (?P<unit>{_UNITS})s?)?|period|one|(?:{_UNITS})s?)"
                   rf"|(?:period|one|{_UNITS}) before))\b")
_OVER = re.compile(rf"\b{_UNIT[:-2]} over \1\b")


def _previous_tail(text: str, spec: TimeSpec) -> None:
    """One range followed by "vs the previous N" (no unit) or "vs the prior period": the
    second window is the one before the first (``_settle`` places it)."""
    if len(spec.ranges) != 1:
        return
    end = spec.range_spans[0][1]
    found = _TAIL.match(text[end:])
    first = spec.ranges[0]
    if found is None or (found["count"] and int(found["count"]) != first.count) \
            or (found["unit"] and found["unit"] != first.unit):
        return  # "last 30 days vs the previous 7": not two windows of one length
    span = (end, end + found.end())
    spec.ranges.append(TimeRange(found["named"], first.start, first.end))
    spec.range_spans.append(span)
    spec.spans = sorted([*spec.spans, span])
    spec.compare = True


def _over(text: str, spec: TimeSpec, parser: TimeParser) -> None:
    """"Week over week": this week (or the one range named) against the week before."""
    found = _OVER.search(text)
    if found is None or len(spec.ranges) > 1:
        return
    unit = found.group(1)
    if not spec.ranges:
        start, end = d.period(parser.today, unit)
        spec.ranges.append(parser._range(f"this {unit}", start, end, running=True))
        spec.range_spans.append(found.span())
    spec.ranges.append(TimeRange(f"previous {unit}", spec.ranges[0].start, spec.ranges[0].end,
                                 unit=unit, count=1))
    spec.range_spans.append(found.span())
    spec.spans = sorted([*spec.spans, found.span()])
    spec.compare = True


def _settle(spec: TimeSpec) -> None:
    """A compared range named "previous"/"prior" is the window just before the other one, as
    long as it; two compared ranges that still overlap are no comparison (the planner asks)."""
    first, second = spec.ranges
    if _PREVIOUS.search(second.phrase):
        second = _before(first, second)
    elif _PREVIOUS.search(first.phrase) and first.start == second.start:
        first = _before(second, first)
    if first.start < second.end and second.start < first.end:
        spec.compare = False
        return
    spec.ranges = [first, second]


def _before(anchor: TimeRange, named: TimeRange) -> TimeRange:
    """The window ``named`` asks for: the one just before ``anchor``, as long as it (a whole
    calendar period goes to the period before; a rolling window moves back by its own units)."""
    whole = _calendar_unit(anchor)
    unit, count = named.unit or anchor.unit, named.count or anchor.count
    if whole is not None and (named.unit is None or (named.unit == whole and count == 1)):
        start, end = d.period(anchor.start.date(), whole, back=1)
        return TimeRange(named.phrase, _local(start, anchor), _local(end, anchor))
    if unit is not None and count and d.shift(anchor.end, unit, -count) == anchor.start:
        return TimeRange(named.phrase, d.shift(anchor.start, unit, -count), anchor.start,
                         unit=unit, count=count)
    return TimeRange(named.phrase, anchor.start - (anchor.end - anchor.start), anchor.start)


def _calendar_unit(span: TimeRange) -> str | None:
    if span.unit is not None or span.start.timetz().replace(tzinfo=None) != time(0):
        return None
    days = (span.start.date(), span.end.date())
    return next((u for u in GRAINS if d.period(days[0], u) == days), None)


def _local(day: date, like: TimeRange) -> datetime:
    return datetime.combine(day, time(0), tzinfo=like.start.tzinfo)
