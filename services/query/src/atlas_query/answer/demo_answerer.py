"""A minimal answerer for a few demo questions, until the semantic planner replaces it.

It recognises counts of signups, users and orders with an optional relative time range, runs real
SQL on the demo data through the guard, and streams a narrative. Anything else gets an honest
"can't answer" with suggestions, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from atlas_common.stream_events import PlanEvent, SuggestionsEvent
from atlas_query.answer.context import AnswerContext
from atlas_query.answer.time_ranges import TimeRange, find_range

SUGGESTIONS = [
    "How many users signed up last week?",
    "How many orders were placed this month?",
    "How many users are there?",
]


@dataclass(frozen=True)
class Subject:
    pattern: str
    table: str
    label: str  # "{n} users signed up"
    total_label: str


SUBJECTS = [
    Subject(
        r"\b(sign(?:ed)?[\s-]?ups?|registrations?|registered|new users)\b",
        "users",
        "{n} users signed up",
        "{n} users have signed up in total",
    ),
    Subject(r"\borders?\b", "orders", "{n} orders were placed", "{n} orders have been placed"),
    Subject(
        r"\b(users|customers|accounts)\b", "users", "{n} users signed up", "There are {n} users"
    ),
]


class DemoAnswerer:
    def __init__(self, timezone: str = "UTC") -> None:
        self._tz = ZoneInfo(timezone)

    async def answer(self, ctx: AnswerContext) -> None:
        question = ctx.job.question
        subject = next((s for s in SUBJECTS if re.search(s.pattern, question.lower())), None)
        if subject is None or not re.search(r"\b(how many|count|number of)\b", question.lower()):
            await self._cannot_answer(ctx)
            return
        await ctx.status("Planning the query", stage="planning")
        time_range = find_range(question, datetime.now(UTC).astimezone(self._tz))
        sql = _count_sql(subject.table, time_range)
        await ctx.emit(
            PlanEvent(
                summary=f"Count {subject.table}" + (f" {time_range.phrase}" if time_range else ""),
                details={"table": subject.table},
            )
        )
        result = await ctx.execute_sql(sql)
        count = int(next(iter(result["rows"][0].values()))) if result["rows"] else 0
        await ctx.chart("number", y=result["columns"][:1])
        await ctx.say(_narrative(subject, count, time_range))

    async def _cannot_answer(self, ctx: AnswerContext) -> None:
        await ctx.say(
            "I can't answer that with the built-in demo planner yet. It knows counts of signups, "
            "users and orders over ranges such as last week or this month. Try one of the "
            "suggestions."
        )
        await ctx.emit(SuggestionsEvent(suggestions=SUGGESTIONS))


def _count_sql(table: str, time_range: TimeRange | None) -> str:
    where = ""
    if time_range is not None:
        where = (
            f" WHERE created_at >= TIMESTAMP '{time_range.start.isoformat()}'"
            f" AND created_at < TIMESTAMP '{time_range.end.isoformat()}'"
        )
    return f"SELECT COUNT(*) AS count FROM {table}{where}"


def _narrative(subject: Subject, count: int, time_range: TimeRange | None) -> str:
    n = f"{count:,}"
    if time_range is None:
        return subject.total_label.format(n=n) + "."
    return f"{subject.label.format(n=n)} {time_range.phrase} ({time_range.label()})."
