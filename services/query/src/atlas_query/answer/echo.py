"""A trivial answerer for benchmarks of the ask path: one short text part, no SQL."""

from __future__ import annotations

from atlas_query.answer.context import AnswerContext


class EchoAnswerer:
    async def answer(self, ctx: AnswerContext) -> None:
        await ctx.say(f"You asked: {ctx.job.question}")
