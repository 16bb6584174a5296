"""Numbers and labels for people: 1,284; $12,345.67; 4.2%; Nov 9, 2026; "March" not "march"."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

_CURRENCIES = {"usd": "$", "eur": "€", "gbp": "£", "dollars": "$"}
_MONTH_WORD = re.compile(r"\b(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
                         r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?"
                         r"|dec(?:ember)?|q[1-4]|ytd|mtd|qtd)\b")


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def number(value: Any, unit: str | None = None) -> str:
    """``1284`` -> ``1,284``; money with its symbol and cents; percents with ``%``."""
    amount = as_number(value)
    if amount is None:
        return "no value" if value is None else str(value)
    key = (unit or "").lower()
    if key in _CURRENCIES:
        sign = "-" if amount < 0 else ""
        return f"{sign}{_CURRENCIES[key]}{abs(amount):,.2f}"
    text = f"{amount:,.0f}" if amount.is_integer() else f"{amount:,.2f}"
    if key in ("percent", "%", "pct"):
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def label(value: Any) -> str:
    """A group or bucket value as text; ISO dates as ``Nov 9, 2026``."""
    if value is None:
        return "(none)"
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:T00:00:00)?", text):
        day = date.fromisoformat(text[:10])
        return f"{day:%b} {day.day}, {day.year}"
    return text


def bucket(value: Any, grain: str | None) -> str:
    """A time bucket at its grain: ``Nov 2026``, ``Q4 2026``, ``2026``, ``week of Nov 9``."""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}", text):  # a breakdown metric's own month, "2026-03"
        return f"{date.fromisoformat(text + '-01'):%b %Y}"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text):
        return label(value)
    day = date.fromisoformat(text[:10])
    if grain == "month":
        return f"{day:%b %Y}"
    if grain == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if grain == "year":
        return str(day.year)
    if grain == "week":
        return f"week of {day:%b} {day.day}, {day.year}"
    return label(value)


def phrase(text: str) -> str:
    """A time phrase as typed, with month names and quarters capitalised."""
    return _MONTH_WORD.sub(_capital, text)


def _capital(match: re.Match[str]) -> str:
    word = match.group(0)
    return word.upper() if re.fullmatch(r"q[1-4]|ytd|mtd|qtd", word) else word.capitalize()


def percent_change(new: float, old: float) -> str | None:
    if old == 0:
        return None
    change = (new - old) / abs(old) * 100
    return f"{'up' if change >= 0 else 'down'} {abs(change):.1f}%"


def join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"
