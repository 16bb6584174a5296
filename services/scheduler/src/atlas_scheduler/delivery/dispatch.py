"""The scheduler's ``Deliver``: one run's answer to every recipient of its task.

Recipients are delivered concurrently, each with its own retries (:mod:`retry`); the outcome
is ``delivered`` when every recipient got it, else ``failed_permanent`` with each failing
recipient's last error (hosts only). Retries are exhausted here, so the scheduler never sees
``failed_retryable``. Build one per process, close it with the process (it holds the HTTP pool).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from atlas_scheduler.delivery import http, mail, slack, webhook
from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.contract import (
    Answer,
    DeliveryOutcome,
    DeliveryRun,
    DeliveryTask,
)
from atlas_scheduler.delivery.retry import Attempted, RetryPolicy, with_retries

log = logging.getLogger("atlas.scheduler.delivery")
Sender = Callable[[], Awaitable[None]]


class Delivery:
    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings
        self.policy = RetryPolicy(
            settings.delivery_attempts,
            settings.delivery_backoff_base_s,
            settings.delivery_backoff_cap_s,
        )
        self.client = http.client(settings.delivery_timeout_s, settings.webhook_ca_file)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def __call__(
        self, task: DeliveryTask, run: DeliveryRun, answer: Answer
    ) -> DeliveryOutcome:
        refused = _refusal(task)
        if refused is not None:
            outcome = DeliveryOutcome("failed_permanent", 0, refused)
        else:
            results = await asyncio.gather(
                *(with_retries(self.policy, s) for s in self._senders(task, run, answer))
            )
            outcome = combine(results)
        log.info(
            "delivery %s",
            outcome.status,
            extra={
                "channel": task.channel,
                "task_id": task.id,
                "run_id": run.id,
                "recipients": len(task.recipients),
                "attempts": outcome.attempts,
                "error": outcome.error,
            },
        )
        return outcome

    def _senders(self, task: DeliveryTask, run: DeliveryRun, answer: Answer) -> Sequence[Sender]:
        if task.channel == "webhook":
            return webhook.senders(self.settings, self.client, task, run, answer)
        if task.channel == "slack":
            return slack.senders(self.settings, self.client, task, run, answer)
        return mail.senders(self.settings, task, run, answer)


def _refusal(task: DeliveryTask) -> str | None:
    if not task.recipients:
        return f"{task.channel}: the task has no recipients"
    if any(r.get("type") != task.channel for r in task.recipients):
        return f"{task.channel}: a recipient is not of the task's channel"
    return None


def combine(results: Sequence[Attempted]) -> DeliveryOutcome:
    attempts = sum(r.attempts for r in results)
    errors = [r.error for r in results if r.error is not None]
    if not errors:
        return DeliveryOutcome("delivered", attempts)
    failed = f"{len(errors)} of {len(results)} recipients failed: " if len(results) > 1 else ""
    return DeliveryOutcome("failed_permanent", attempts, failed + "; ".join(errors))
