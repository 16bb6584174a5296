"""The answer in words: one template per shape (single number, time series, breakdown, top-N,
comparison, list), plus the empty result and rows cut at the limit. Numbers are formatted
for people, and the range and filters the query used are always stated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from atlas_query.planner import format as fmt
from atlas_query.planner.compile import PERIOD
from atlas_query.planner.plan import Plan
from atlas_query.planner.time import TimeRange


class Narrator:
    def __init__(self, plan: Plan, result: dict[str, Any], now: datetime) -> None:
        self.plan = plan
        self.rows: list[dict[str, Any]] = result.get("rows") or []
        self.columns: list[str] = list(result.get("columns") or [])
        self.truncated = bool(result.get("truncated"))
        self.now = now
        self.value_key = self._value_key()
        self.unit = plan.value.unit if plan.value is not None else None
        self.label = plan.value.label if plan.value is not None else plan.subject

    def text(self) -> str:
        body = getattr(self, f"_{self.plan.shape}")() if self.rows else self._empty()
        if self.truncated:
            body += (f" The result was cut at {len(self.rows):,} rows; add a filter or a range "
                     "to see the rest.")
        return body

    def _value_key(self) -> str | None:
        value = self.plan.value
        if value is not None and value.alias in self.columns:
            return value.alias
        return self.columns[-1] if self.columns and self.plan.shape != "list" else None

    def _value(self, row: dict[str, Any]) -> Any:
        return row.get(self.value_key) if self.value_key else None

    def _num(self, value: Any) -> str:
        return fmt.number(value, self.unit)

    def _context(self, found: TimeRange | None = None) -> str:
        """`` (status: delivered) last week (Nov 9 - Nov 15, 2026)``."""
        parts = [f" ({'; '.join(self.plan.notes)})"] if self.plan.notes else []
        ranges = [found] if found is not None else list(self.plan.ranges[:1])
        parts += [f" {fmt.phrase(r.phrase)} ({r.label(self.now)})" for r in ranges]
        return "".join(parts)

    def _defined(self) -> str:
        return " (as defined in the semantic layer)" if self.plan.verbatim_sql else ""

    def _is_count(self) -> bool:
        value = self.plan.value
        return value is not None and value.unit is None and "count" in value.expr.sql().lower()

    def _empty(self) -> str:
        return f"No {self._noun()} matched{self._context()}, so there is nothing to show."

    def _noun(self) -> str:
        """The subject inside a sentence: "signups", but "CSAT" stays as written."""
        noun = self.plan.subject
        return noun if noun[:2].isupper() else noun[:1].lower() + noun[1:]

    def _number(self) -> str:
        value = self._value(self.rows[0])
        if value is None:
            return f"There is no {self.label}{self._context()}: no rows matched."
        if self._is_count():
            return f"{self._num(value)} {self._noun()}{self._context()}."
        return f"{self.label}{self._defined()}{self._context()}: {self._num(value)}."

    def _groups(self) -> list[str]:
        return [c for c in self.columns if c not in (self.value_key, PERIOD)]

    def _row_label(self, row: dict[str, Any]) -> str:
        return ", ".join(fmt.label(row.get(key)) for key in self._groups())

    def _series(self) -> str:
        key = self._groups()[0] if self._groups() else ""
        grain = self.plan.bucket
        points = [(fmt.bucket(row.get(key), grain), as_float(self._value(row)))
                  for row in self.rows]
        first, last = points[0], points[-1]
        values = [(v, name) for name, v in points if v is not None]
        high = max(values) if values else (None, "")
        low = min(values) if values else (None, "")
        per = f" by {grain}" if grain else ""
        return (f"{self.label}{per}{self._defined()}{self._context()}: {len(points)} "
                f"periods, from {self._num(first[1])} ({first[0]}) to {self._num(last[1])} "
                f"({last[0]}). Highest: {self._num(high[0])} ({high[1]}); lowest: "
                f"{self._num(low[0])} ({low[1]}).")

    def _title(self) -> str:
        """``GMV by country``; a breakdown metric's own label already says by what."""
        by = " and ".join(g.replace("_", " ") for g in self._groups())
        own = self.plan.verbatim_sql is not None and " by " in f" {self.label.lower()} "
        return self.label if own or not by else f"{self.label} by {by}"

    def _share(self, row: dict[str, Any], total: float) -> str:
        value = self._num(self._value(row))
        if not total or not self._additive():
            return value
        return f"{value} ({100 * (as_float(self._value(row)) or 0) / total:.0f}%)"

    def _breakdown(self) -> str:
        rows = sorted(self.rows, key=lambda r: -(as_float(self._value(r)) or 0))
        total = sum(as_float(self._value(r)) or 0 for r in rows)
        text = (f"{self._title()}{self._defined()}{self._context()}: {self._row_label(rows[0])} "
                f"leads with {self._share(rows[0], total)}")
        others = [f"{self._row_label(r)} {self._share(r, total)}" for r in rows[1:3]]
        if others:
            text += f", followed by {fmt.join(others)}"
        return text + f"; {len(rows)} groups in all."

    def _additive(self) -> bool:
        sql = self.plan.value.expr.sql().upper() if self.plan.value else ""
        return ("SUM(" in sql or "COUNT(" in sql) and "/ COUNT" not in sql and "AVG" not in sql

    def _top(self) -> str:
        word = "Top" if self.plan.descending else "Bottom"
        if len(self.rows) == 1 and self.plan.limit == 1:
            counted = self._is_count()
            most = ("most" if counted else "highest") if self.plan.descending else (
                "fewest" if counted else "lowest")
            row = self.rows[0]
            return (f"{self._row_label(row)} has the {most} {self._noun()}{self._context()}: "
                    f"{self._num(self._value(row))}.")
        ranked = [f"{i}. {self._row_label(r)} ({self._num(self._value(r))})"
                  for i, r in enumerate(self.rows, start=1)]
        return (f"{word} {len(self.rows)} by {self.label}{self._context()}: "
                + "; ".join(ranked) + ".")

    def _comparison(self) -> str:
        text = self._title() + (f" ({'; '.join(self.plan.notes)})" if self.plan.notes else "")
        if self.plan.groups:
            spans = " vs ".join(f"{fmt.phrase(r.name)} ({r.label(self.now)})"
                                for r in self.plan.ranges)
            return f"{text}, {spans}: {len(self.rows)} rows, one per period and group."
        values = [next((as_float(self._value(row)) for row in self.rows
                        if row.get(PERIOD) == found.name), None) for found in self.plan.ranges]
        parts = [f"{fmt.phrase(r.name)} ({r.label(self.now)}): {self._num(v)}"
                 for r, v in zip(self.plan.ranges, values, strict=True)]
        change = ""
        if len(values) == 2 and values[0] is not None and values[1] is not None:
            delta = fmt.percent_change(values[0], values[1])
            change = f", {delta} on {fmt.phrase(self.plan.ranges[1].name)}" if delta else ""
        return f"{text}: {' vs '.join(parts)}{change}."

    def _list(self) -> str:
        return f"Here are {len(self.rows):,} {self._noun()}{self._context()}."


def as_float(value: Any) -> float | None:
    return fmt.as_number(value)


def narrate(plan: Plan, result: dict[str, Any], now: datetime) -> str:
    return Narrator(plan, result, now).text()
