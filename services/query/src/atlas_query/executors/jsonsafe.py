"""Database values made JSON-safe, so a result always serialises and reads the same in
JavaScript (where integers past 2**53 lose digits and NaN is not JSON).

decimal -> number when a float holds it exactly, else text; huge integer -> text;
NaN / infinity -> null; date, time, timestamp -> ISO 8601 (with its offset when zoned);
interval -> ISO 8601 duration; bytes -> base64; UUID, IP address... -> text;
lists, tuples, sets -> lists; mappings (STRUCT, MAP, JSON) -> objects with text keys.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from decimal import Decimal
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1


def json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return iso_duration(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return str(value)


def _decimal(value: Decimal) -> Any:
    if not value.is_finite():
        return None
    if value == value.to_integral_value():
        return json_safe(int(value))
    as_float = float(value)
    return as_float if Decimal(repr(as_float)) == value else str(value)


def iso_duration(value: dt.timedelta) -> str:
    """``P3DT4H5M6.5S``; negative durations lead with ``-``; zero is ``PT0S``."""
    sign = "-" if value < dt.timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    secs = f"{seconds}.{value.microseconds:06d}".rstrip("0").rstrip(".")
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    time += f"{secs}S" if secs != "0" else ""
    days = f"{value.days}D" if value.days else ""
    if not days and not time:
        return "PT0S"
    return f"{sign}P{days}" + (f"T{time}" if time else "")
