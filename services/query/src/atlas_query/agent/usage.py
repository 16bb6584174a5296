"""Tokens the agent spent: one ``usage.recorded`` per model call, and the total for the stream.

Each completed model call is published at once, so tokens spent before a failure or a stop are
still counted. The idempotency key is ``{request_id}:{call_index}``: a message published twice
counts once, and a redelivered job (the worker died) re-spends under the same keys, so the
customer is not billed twice for Atlas's own failure. The bus has the topology declared by
every process, so the message waits in the entitlements queue until something consumes it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from atlas_common.messages import BusMessage, QueryRequested, UsageRecorded
from atlas_common.metrics import llm_tokens
from atlas_common.stream_events import UsageEvent

log = logging.getLogger(__name__)

Publish = Callable[[BusMessage], Awaitable[None]]
FEATURE = "llm-tokens"


@dataclass
class UsageRecorder:
    job: QueryRequested
    model: str
    publish: Publish | None = None
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    async def record(self, input_tokens: int, output_tokens: int) -> None:
        index = self.calls
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        llm_tokens(self.model, input_tokens, output_tokens)
        if self.publish is None:
            return
        message = UsageRecorded(
            customer_id=self.job.principal.workspace_id,
            feature=FEATURE,
            amount=input_tokens + output_tokens,
            idempotency_key=f"{self.job.request_id}:{index}",
            request_id=self.job.request_id,
            details={
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "call_index": index,
                "model": self.model,
                "user_id": self.job.principal.user_id,
            },
        )
        try:
            await self.publish(message)
        except Exception as exc:  # the answer goes on: a lost record must not lose the answer
            log.error(
                "usage record not published: %r",
                exc,
                extra={"request_id": self.job.request_id, "call_index": index},
            )

    def event(self) -> UsageEvent:
        return UsageEvent(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            total_tokens=self.input_tokens + self.output_tokens,
        )
