"""Calendar arithmetic and absolute dates ("March 5", "Q2 2026", "2025-03-01", "2025")."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_ORDINALS = ("first", "second", "third", "fourth")
DATE = (r"(?:\d{4}-\d{2}-\d{2}"
        rf"|{_MONTH} \d{{1,2}}{_ORD}(?:,? {_YEAR})?"
        rf"|\d{{1,2}}{_ORD} (?:of )?{_MONTH}(?:,? {_YEAR})?"
        rf"|{_MONTH}(?:,? {_YEAR})?"
        rf"|q[1-4](?: {_YEAR})?"
        rf"|(?:first|second|third|fourth) quarter(?: of {_YEAR})?"
        rf"|{_YEAR})(?![a-z0-9])")
_HAS_YEAR = re.compile(rf"\b{_YEAR}\b")

Span = tuple[date, date]


def month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period(today: date, unit: str, back: int = 0) -> Span:
    """The calendar ``unit`` containing ``today``, ``back`` periods earlier (weeks: Monday)."""
    if unit == "day":
        start = today - timedelta(days=back)
        return start, start + timedelta(days=1)
    if unit == "week":
        start = today - timedelta(days=today.weekday() + 7 * back)
        return start, start + timedelta(days=7)
    size = {"month": 1, "quarter": 3, "year": 12}[unit]
    first = date(today.year, 1, 1) if unit == "year" else month_start(today)
    if unit == "quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    start = month_start(first, -size * back)
    return start, month_start(start, size)


def shift(moment: datetime, unit: str, count: int) -> datetime:
    """``moment`` moved by ``count`` units; months keep the day, clamped to the month's end."""
    if unit in ("day", "week"):
        return moment + timedelta(days=count * (7 if unit == "week" else 1))
    months = count * {"month": 1, "quarter": 3, "year": 12}[unit]
    first = month_start(moment.date(), months)
    day = min(moment.day, calendar.monthrange(first.year, first.month)[1])
    return moment.replace(year=first.year, month=first.month, day=day)


def parse_date(text: str, today: date) -> Span | None:
    """An absolute date expression as the days it covers; ``None`` when it is not one."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return day, day + timedelta(days=1)
        return _quarter(text, today) or _month_or_day(text, today) or _year(text)
    except ValueError:  # 2026-02-30, March 32
        return None


def parse_pair(first: str, second: str, today: date) -> tuple[Span | None, Span | None]:
    """Both ends of "between X and Y": a year written only on Y applies to X too."""
    year = _HAS_YEAR.search(second)
    if year and not _HAS_YEAR.search(first) and not first.startswith("q"):
        first = f"{first} {year.group(0)}"
    return parse_date(first, today), parse_date(second, today)


def _quarter(text: str, today: date) -> Span | None:
    match = re.fullmatch(rf"q([1-4])(?: ({_YEAR}))?|(\w+) quarter(?: of ({_YEAR}))?", text)
    if match is None:
        return None
    number = int(match.group(1)) if match.group(1) else _ORDINALS.index(match.group(3)) + 1
    year_text = match.group(2) or match.group(4)
    start = date(int(year_text) if year_text else today.year, 3 * number - 2, 1)
    if not year_text and start > today:
        start = start.replace(year=start.year - 1)
    return start, month_start(start, 3)


def _month_or_day(text: str, today: date) -> Span | None:
    match = re.fullmatch(rf"({_MONTH})(?: (\d{{1,2}}){_ORD})?(?:,? ({_YEAR}))?", text) or \
        re.fullmatch(rf"(\d{{1,2}}){_ORD} (?:of )?({_MONTH})(?:,? ({_YEAR}))?", text)
    if match is None:
        return None
    groups = match.groups()
    month_word, day_text = (groups[0], groups[1]) if groups[0][0].isalpha() else groups[1::-1]
    month = _MONTHS.index(month_word[:3]) + 1
    year = int(groups[2]) if groups[2] else today.year
    if day_text:
        day = date(year, month, int(day_text))
        if not groups[2] and day > today:
            day = day.replace(year=year - 1)
        return day, day + timedelta(days=1)
    start = date(year, month, 1)
    if not groups[2] and start > today:
        start = start.replace(year=year - 1)
    return start, month_start(start, 1)


def _year(text: str) -> Span | None:
    if not re.fullmatch(_YEAR, text):
        return None
    year = int(text)
    return date(year, 1, 1), date(year + 1, 1, 1)


def day_label(day: date, *, year: bool = True) -> str:
    text = f"{day:%b} {day.day}"
    return f"{text}, {day.year}" if year else text


def span_label(first: date, last: date) -> str:
    """``Nov 9 - Nov 15, 2026`` (with an en dash); one day alone; the year on both ends when
    they differ."""
    if first == last:
        return day_label(first)
    same_year = first.year == last.year
    return f"{day_label(first, year=not same_year)} – {day_label(last)}"
