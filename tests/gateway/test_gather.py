"""The answer gatherer: stream events -> one JSON answer; only the last attempt counts."""

from __future__ import annotations

import pytest

from atlas_common.errors import AtlasError
from atlas_common.stream_events import (
    DoneEvent,
    ErrorEvent,
    RestartEvent,
    TextDeltaEvent,
    ToolCallEvent,
    ToolResultEvent,
    UsageEvent,
)
from atlas_gateway.service.gather import AnswerGatherer


def sql_call(sql: str) -> list[ToolCallEvent | ToolResultEvent]:
    return [
        ToolCallEvent(tool_call_id="t", name="executeSQL", input={"sql": sql}),
        ToolResultEvent(tool_call_id="t", name="executeSQL",
                        output={"columns": ["n"], "rows": [{"n": 1}]}),
    ]


def test_an_answer_gathers_text_sql_data_and_usage() -> None:
    g = AnswerGatherer("r1", None)
    for event in [*sql_call("SELECT 1"), TextDeltaEvent(part_id="p", delta="One "),
                  TextDeltaEvent(part_id="p", delta="row. "), UsageEvent(total_tokens=12),
                  DoneEvent(conversation_id="c1", steps=0)]:
        g.add(event)
    answer = g.response()
    assert answer.answer == "One row."
    assert answer.sql == ["SELECT 1"] and answer.data[0].rows == [{"n": 1}]
    assert answer.steps == 1  # at least one step per statement, whatever done says
    assert answer.usage.total_tokens == 12 and answer.conversation_id == "c1"


def test_a_restart_drops_what_the_failed_attempt_said() -> None:
    g = AnswerGatherer("r1", "c0")
    for event in [*sql_call("SELECT 1"), TextDeltaEvent(part_id="p", delta="half an answer"),
                  RestartEvent(attempt=2), TextDeltaEvent(part_id="p", delta="whole", attempt=2),
                  DoneEvent(attempt=2)]:
        g.add(event)
    answer = g.response()
    assert (answer.answer, answer.sql, answer.data) == ("whole", [], [])
    assert answer.conversation_id == "c0"


def test_an_error_event_is_raised_with_its_status_and_retry_after() -> None:
    g = AnswerGatherer("r1", None)
    g.add(TextDeltaEvent(part_id="p", delta="partial"))
    g.add(ErrorEvent(code="provider_rate_limit", message="slow down", retry_after_seconds=9))
    with pytest.raises(AtlasError) as raised:
        g.response()
    err = raised.value
    assert (err.code, err.status_code) == ("provider_rate_limit", 503)
    assert err.headers["Retry-After"] == "9" and err.extra["retryAfterSeconds"] == 9


def test_an_unlisted_code_is_a_500() -> None:
    g = AnswerGatherer("r1", None)
    g.add(ErrorEvent(code="internal_error", message="boom"))
    with pytest.raises(AtlasError) as raised:
        g.response()
    assert raised.value.status_code == 500 and not raised.value.headers
