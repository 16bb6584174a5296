"""Driver values -> the JSON-safe scalars a profile holds."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from atlas_datasources.model import Scalar

_MAX_TEXT = 200  # a sample value is a hint for a person or a model, not the data
_MAX_EXACT_INT = 2**53  # past this a float would not round-trip through JSON readers


def to_scalar(value: Any) -> Scalar:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()  # datetime is a date: ISO with its time
    if isinstance(value, bytes | bytearray | memoryview):
        return None
    text = str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _decimal(value: Decimal) -> Scalar:
    if not value.is_finite():
        return None
    if value == value.to_integral_value() and abs(value) < _MAX_EXACT_INT:
        return int(value)
    return float(value)
