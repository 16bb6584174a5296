"""Retries of a failed model request, owned by Atlas rather than by each provider's SDK.

The SDKs retry on their own (``max_retries=0`` turns that off, see ``providers.py``) and would
sleep through any ``Retry-After`` up to a minute, twice, inside a 120 s answer. Here the policy
is one place: a retryable failure (429, 5xx, overload, a connection dropped) is retried a
bounded number of times with jittered exponential backoff, honouring ``Retry-After`` when it
fits under ``max_wait_s``; a longer one fails at once with the wait in the error. Only failures
before the first streamed event reach this hook (pydantic-ai primes the stream), so text that a
client already saw is never sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass

from pydantic_ai import RetryModelRequest, RunContext
from pydantic_ai.capabilities import AbstractCapability
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models import ModelRequestContext

from atlas_query.agent.errors import is_retryable
from atlas_query.agent.tools import AgentDeps

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2
    base_s: float = 0.5
    max_wait_s: float = 10.0

    def wait_s(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds before attempt ``attempt + 1``, or None when it is not worth waiting."""
        if attempt > self.retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_wait_s else None
        backoff: float = self.base_s * 2.0 ** (attempt - 1)
        return min(self.max_wait_s, backoff * random.uniform(0.5, 1.0))  # jitter


@dataclass
class ProviderRetries(AbstractCapability[AgentDeps]):
    policy: RetryPolicy

    async def on_model_request_error(
        self, ctx: RunContext[AgentDeps], *, request_context: ModelRequestContext, error: Exception
    ) -> ModelResponse:
        if not is_retryable(error):
            raise error
        wait = self.policy.wait_s(request_context.attempt, getattr(error, "retry_after", None))
        if wait is None:
            raise error
        log.warning(
            "model request failed, retrying",
            extra={
                "request_id": ctx.deps.ctx.job.request_id,
                "error": type(error).__name__,
                "attempt": request_context.attempt,
                "wait_s": round(wait, 3),
            },
        )
        await asyncio.sleep(wait)
        raise RetryModelRequest()
