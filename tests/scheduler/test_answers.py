"""A run's outcome from its stream events: success needs a query and ``done``; the planner
declining, an error or a cut stream are failures with a reason; a restart starts over."""

from __future__ import annotations

from atlas_common.stream_events import (
    DoneEvent,
    ErrorEvent,
    RestartEvent,
    SuggestionsEvent,
    TextDeltaEvent,
    ToolCallEvent,
    ToolResultEvent,
    UsageEvent,
)
from atlas_scheduler.answers import Collected

SQL = "SELECT count(*) AS n FROM users"


def _answered(c: Collected, rows: list[list[int]]) -> None:
    c.add(ToolCallEvent(tool_call_id="c1", name="executeSQL", input={"sql": SQL}))
    c.add(ToolResultEvent(tool_call_id="c1", name="executeSQL",
                          output={"columns": ["n"], "rows": rows, "truncated": False}))
    c.add(TextDeltaEvent(part_id="t", delta="There are "))
    c.add(TextDeltaEvent(part_id="t", delta=f"{rows[0][0]} users."))


def test_a_query_and_done_is_a_success_with_the_answer() -> None:
    c = Collected("conv-1", "How many users?")
    _answered(c, [[41]])
    c.add(UsageEvent(total_tokens=12))
    c.add(DoneEvent(conversation_id="conv-1", steps=1))
    assert c.failure() is None and c.tokens == 12
    answer = c.answer()
    assert (answer.sql, answer.columns, answer.rows) == (SQL, ["n"], [[41]])
    assert answer.narrative == "There are 41 users." and answer.conversation_id == "conv-1"


def test_a_restart_keeps_only_the_last_attempt() -> None:
    c = Collected("conv-1")
    _answered(c, [[1]])
    c.add(RestartEvent())
    _answered(c, [[2]])
    c.add(DoneEvent())
    assert c.answer().rows == [[2]] and c.answer().narrative == "There are 2 users."


def test_a_declined_question_fails_with_the_planners_words() -> None:
    c = Collected("conv-1")
    c.add(TextDeltaEvent(part_id="t", delta="I can't answer that with confidence."))
    c.add(SuggestionsEvent(suggestions=["How many users?"]))
    c.add(DoneEvent())
    assert c.failure() == "Not answered: I can't answer that with confidence."


def test_an_error_or_a_cut_stream_fails() -> None:
    c = Collected(None)
    c.add(ErrorEvent(code="timeout", message="The answer was not ready before its deadline"))
    assert c.failure() == "timeout: The answer was not ready before its deadline"
    assert c.events == 0  # the listener's own error: the worker wrote nothing
    cut = Collected(None)
    _answered(cut, [[1]])
    assert cut.failure() == "The answer ended before it was complete"
