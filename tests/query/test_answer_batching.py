"""Events an answer produces back to back share one stream write (issue 23), in the order they
were produced; paced answers (fault tests) and plain sinks still get them one at a time."""

from __future__ import annotations

from typing import Any

from atlas_common.messages import QueryRequested
from atlas_common.principal import Principal
from atlas_common.stream_events import StreamEvent
from atlas_query.answer.context import AnswerContext

JOB = QueryRequested(request_id="r1", question="How many users?",
                     principal=Principal(user_id="u", workspace_id="w", role="analyst"),
                     deadline=2e9)


class Sink:
    """Records each write: a list of event types per call."""

    def __init__(self) -> None:
        self.writes: list[list[str]] = []

    async def emit(self, event: StreamEvent) -> int:
        self.writes.append([event.type])
        return len(self.writes)

    async def emit_many(self, events: list[StreamEvent]) -> list[int]:
        self.writes.append([e.type for e in events])
        return list(range(len(events)))


async def _run_sql(sql: str, job: QueryRequested) -> dict[str, Any]:
    return {"columns": ["n"], "rows": [{"n": 1}], "truncated": False}


async def _answer(ctx: AnswerContext) -> None:  # the semantic answerer's order
    await ctx.status("Matching", stage="planning")
    await ctx.status("Running the query", stage="executing", hold=True)
    await ctx.execute_sql("SELECT 1")
    await ctx.chart("number")
    await ctx.say("There is one user.")


async def test_back_to_back_events_share_a_write_in_order() -> None:
    sink = Sink()
    await _answer(AnswerContext(job=JOB, emit=sink.emit, emit_many=sink.emit_many,
                                run_sql=_run_sql))
    assert sink.writes == [
        ["status"],
        ["status", "tool-call"],
        ["tool-result", "chart", "text-delta", "text-delta", "text-delta", "text-delta"],
    ]


async def test_paced_or_plain_answers_write_one_event_at_a_time() -> None:
    for ctx_args in ({"emit_many": None}, {"token_delay_s": 0.001}):
        sink = Sink()
        ctx = AnswerContext(job=JOB, emit=sink.emit, run_sql=_run_sql, **ctx_args)
        if ctx_args.get("token_delay_s"):
            ctx.emit_many = sink.emit_many
        await _answer(ctx)
        assert all(len(w) == 1 for w in sink.writes)
        assert [w[0] for w in sink.writes] == [
            "status", "status", "tool-call", "tool-result", "chart", *["text-delta"] * 4]


async def test_what_is_held_is_flushed_before_anything_else() -> None:
    sink = Sink()
    ctx = AnswerContext(job=JOB, emit=sink.emit, emit_many=sink.emit_many, run_sql=_run_sql)
    await ctx.execute_sql("SELECT 1")  # its result is held
    await ctx.flush()
    await ctx.flush()  # nothing left: no empty write
    assert sink.writes == [["tool-call"], ["tool-result"]]
