"""Follow-ups: a short question after earlier turns becomes one full question built from the
previous user question (``planner.refine``, ``merge``, ``shift``). Rows are checked in the
evaluation set ``eval_followups.yaml``; here, the question each follow-up stands for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from atlas_common.messages import HistoryTurn
from atlas_query.planner.narrative import narrate
from atlas_query.planner.plan import CannotAnswer, Clarify
from atlas_query.planner.planner import Planned, SemanticPlanner
from atlas_query.planner.refine import fragment
from atlas_query.planner.shift import Request, before, phrase, request
from atlas_query.planner.time import TimeRange
from tests.query.planner.conftest import DEMO_NOW


def conversation(planner: SemanticPlanner, *questions: str, sql: bool = True
                 ) -> list[HistoryTurn]:
    """Earlier turns as the worker stores them (answer text, then ``SQL: ...``), or as a chat
    client sends them (``sql=False``: the texts alone)."""
    turns: list[HistoryTurn] = []
    for question in questions:
        decision = planner.decide(question, turns)
        if isinstance(decision, Planned):
            answer = "Here it is." + (f"\nSQL: {decision.sql}" if sql else "")
        else:
            answer = decision.question if isinstance(decision, Clarify) else decision.reason
        turns += [HistoryTurn(role="user", content=question),
                  HistoryTurn(role="assistant", content=answer)]
    return turns


def resolved(planner: SemanticPlanner, history: Sequence[str], question: str) -> str:
    return planner.refiner.question(question, conversation(planner, *history))


@pytest.mark.parametrize(("question", "text", "leans"), [
    ("and the month before?", "the month before", True),
    ("What about France?", "France", True),
    ("only for Germany", "for Germany", True),
    ("Can you break that down by category?", "by category", True),
    ("same for last year", "last year", True),
    ("just the top 3", "the top 3", True),
    ("by country?", "by country", False),
    ("How many users are in France?", "How many users are in France", False),
])
def test_a_fragment_loses_its_follow_up_words(question: str, text: str, leans: bool) -> None:
    part = fragment(question)
    assert (part.text, part.leans) == (text, leans)


def _span(start: str, end: str, running: bool = False) -> TimeRange:
    return TimeRange("x", datetime.fromisoformat(start).replace(tzinfo=UTC),
                     datetime.fromisoformat(end).replace(tzinfo=UTC), running)


@pytest.mark.parametrize(("span", "asked", "expected"), [
    (_span("2026-10-01", "2026-11-01"), "the month before", ("2026-09-01", "2026-10-01")),
    (_span("2026-11-01", "2026-12-01", True), "the month before", ("2026-10-01", "2026-11-01")),
    (_span("2026-11-09", "2026-11-16"), "the week before", ("2026-11-02", "2026-11-09")),
    (_span("2026-07-01", "2026-10-01"), "before", ("2026-04-01", "2026-07-01")),
    (_span("2026-03-01", "2026-03-16"), "before", ("2026-02-14", "2026-03-01")),
    (_span("2026-10-01", "2026-11-01"), "the same month last year", ("2025-10-01", "2025-11-01")),
    (_span("2026-11-09", "2026-11-16"), "the month before", None),  # a week is not a month
    (_span("2026-10-19 10:00", "2026-11-18 10:00", True), "before", None),  # ends now
    (_span("2026-03-01", "2026-11-18 10:00", True), "the month before", None),  # since March
])
def test_the_range_before(span: TimeRange, asked: str, expected: tuple[str, str] | None) -> None:
    found = request(asked)
    assert isinstance(found, Request)
    days = before(span, found)
    assert (tuple(d.isoformat() for d in days) if days else None) == expected


def test_a_range_is_named_so_that_it_reads_back_exactly() -> None:
    day = datetime.fromisoformat
    assert phrase(day("2025-01-01").date(), day("2026-01-01").date(), DEMO_NOW) == "in 2025"
    assert phrase(day("2026-04-01").date(), day("2026-07-01").date(), DEMO_NOW) == "in Q2 2026"
    assert phrase(day("2026-09-01").date(), day("2026-10-01").date(), DEMO_NOW) == (
        "in September 2026")
    assert phrase(day("2026-11-16").date(), day("2026-11-17").date(), DEMO_NOW) == (
        "on 2026-11-16")
    assert phrase(day("2026-11-02").date(), day("2026-11-09").date(), DEMO_NOW) == (
        "between 2026-11-02 and 2026-11-08")


@pytest.mark.parametrize(("history", "question", "full"), [
    (["How many orders were placed last month?"], "and the month before?",
     "How many orders were placed in September 2026"),
    (["How many orders were placed last month?", "and the month before?"],
     "and the month before that?", "How many orders were placed in August 2026"),
    (["Signups last week"], "what about the week before?",
     "Signups between 2026-11-02 and 2026-11-08"),
    (["GMV by country last month"], "same for last year", "GMV by country last year"),
    (["GMV last month"], "and in 2025?", "GMV in 2025"),
    (["Signups this week"], "compared with last week?", "Signups this week vs last week"),
    (["GMV last month"], "only for Germany", "GMV last month for Germany"),
    (["How many users are in Germany?"], "what about France?", "How many users are in France"),
    (["How many orders were placed last month?"], "just delivered orders",
     "How many orders were placed last month delivered orders"),
    (["GMV last month"], "just for business users", "GMV last month for business users"),
    (["Units sold last month"], "break that down by category", "Units sold last month by category"),
    (["GMV this year"], "per month", "GMV this year per month"),
    (["GMV by country last month"], "top 5?", "GMV by country last month top 5"),
    (["Top 5 countries by GMV"], "just the top 3", "top 3 countries by GMV"),
    (["Which country has the most users?"], "and the least?", "Which country has the fewest users"),
    (["GMV by country last month"], "which one had the least?",
     "GMV by country last month bottom 1"),
    (["How many orders in Germany?"], "and in France and Spain?",
     "How many orders in France or Spain"),
])
def test_a_follow_up_becomes_the_full_question(demo_planner: SemanticPlanner, history: list[str],
                                               question: str, full: str) -> None:
    assert resolved(demo_planner, history, question) == full


@pytest.mark.parametrize(("history", "question"), [
    (["How many users signed up last week?"], "How many orders were placed yesterday?"),
    (["GMV last month"], "How many users are in France?"),
    (["How many orders were placed last month?"], "and how many orders were delivered in May?"),
    (["What is our churn rate?"], "only for Germany"),  # nothing usable to refine
    (["How many orders in the last 30 days?"], "and the month before?"),  # no calendar month
    (["Orders this week vs last week"], "and the week before?"),  # which of the two?
    (["How many users signed up yesterday?"], "what about the whole week?"),  # which week?
    ([], "only for Germany"),
])
def test_what_stands_alone_or_has_nothing_to_refine_is_planned_as_asked(
        demo_planner: SemanticPlanner, history: list[str], question: str) -> None:
    assert resolved(demo_planner, history, question) == question


def test_a_follow_up_without_a_usable_question_is_declined_not_guessed(
        demo_planner: SemanticPlanner) -> None:
    history = conversation(demo_planner, "What is our churn rate?")
    assert isinstance(demo_planner.decide("and the month before?", history), CannotAnswer)
    history = conversation(demo_planner, "Revenue last month")  # asked to clarify
    assert isinstance(demo_planner.decide("only for Germany", history), CannotAnswer)


def test_the_reply_to_a_clarification_is_still_the_clarified_question(
        demo_planner: SemanticPlanner) -> None:
    history = conversation(demo_planner, "Revenue by country last month")
    assert demo_planner.refiner.question("GMV", history) == "GMV by country last month"
    history = conversation(demo_planner, "Revenue by country last month", "net revenue")
    assert demo_planner.refiner.question("only for Germany", history) == (
        "Net revenue by country last month for Germany")


def test_a_reply_to_which_time_column_is_merged_when_that_plans(
        support_planner: SemanticPlanner) -> None:
    history = conversation(support_planner, "How many tickets last week?")  # created or solved?
    assert isinstance(support_planner.decide("How many tickets last week?"), Clarify)
    assert support_planner.refiner.question("opened", history) == (
        "How many tickets last week opened")
    history = conversation(support_planner, "CSAT last month")
    assert support_planner.refiner.question("and the month before?", history) == (
        "and the month before?")  # still not clear which time column: not merged


def test_a_chat_clients_history_without_sql_reads_the_same(demo_planner: SemanticPlanner) -> None:
    asked = ("GMV last month", "by country?")
    stored = conversation(demo_planner, *asked)
    sent = conversation(demo_planner, *asked, sql=False)
    assert demo_planner.refiner.question("top 3?", stored) == (
        demo_planner.refiner.question("top 3?", sent)) == "GMV last month by country top 3"


def test_the_narrative_states_the_resolved_range(demo_planner: SemanticPlanner) -> None:
    history = conversation(demo_planner, "How many orders were placed last week?")
    decision = demo_planner.decide("and the week before?", history)
    assert isinstance(decision, Planned)
    assert decision.question == "How many orders were placed between 2026-11-02 and 2026-11-08"
    text = narrate(decision.plan, {"columns": ["order_count"], "rows": [{"order_count": 42}]},
                   decision.now)
    assert text == "42 orders between 2026-11-02 and 2026-11-08 (Nov 2 – Nov 8, 2026)."


def test_another_layer(support_planner: SemanticPlanner) -> None:
    history = conversation(support_planner, "How many tickets were solved yesterday?")
    assert support_planner.refiner.question("and the day before?", history) == (
        "How many tickets were solved on 2026-03-06")
    history = conversation(support_planner, "How many urgent tickets are still open?")
    assert support_planner.refiner.question("what about high?", history) == (
        "How many high tickets are still open")
