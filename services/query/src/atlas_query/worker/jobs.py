"""Answering one ``query.requested`` delivery: the handler the bus wrapper calls.

A delivery is idempotent: a job whose stream already ended is acked without work (a lost ack),
an expired job ends its stream with ``timeout``, a redelivered job announces a restart first.
Failures on Atlas's side end the stream with an error event; only a lost stream store (Redis)
makes the job retryable.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atlas_common.bus import Delivery, RetryableError
from atlas_common.errors import AtlasError
from atlas_common.messages import Message, QueryRequested
from atlas_common.stream import StreamClosed, StreamWriter
from atlas_common.stream_events import (
    DoneEvent,
    ErrorEvent,
    RestartEvent,
    StatusEvent,
    UsageEvent,
)
from atlas_query.answer.context import AnswerContext, Answerer, SqlRunner
from atlas_query.worker.settings import WorkerSettings

log = logging.getLogger(__name__)


class Shutdown(RetryableError):
    """The worker is stopping: the job goes back to the queue for another worker."""


@dataclass
class Running:
    task: asyncio.Task[None]
    reason: str | None = None


@dataclass
class JobRunner:
    settings: WorkerSettings
    redis: Redis
    answerer: Answerer
    run_sql: SqlRunner
    running: dict[str, Running] = field(default_factory=dict)

    def writer(self, job: QueryRequested, attempt: int) -> StreamWriter:
        return StreamWriter(
            self.redis,
            self.settings.redis_prefix,
            job.request_id,
            attempt,
            ttl_s=self.settings.stream_replay_ttl_s,
            max_events=self.settings.stream_replay_max,
        )

    async def handle(self, message: Message, delivery: Delivery) -> None:
        if not isinstance(message, QueryRequested):
            return
        writer = self.writer(message, delivery.attempt)
        try:
            await self._run(message, delivery, writer)
        except StreamClosed as closed:
            log.info("job dropped: %s", closed.reason, extra={"request_id": message.request_id})
        except (RedisError, OSError) as exc:
            raise RetryableError(f"stream store unavailable: {exc!r}") from exc

    async def _run(self, job: QueryRequested, delivery: Delivery, writer: StreamWriter) -> None:
        if await writer.has_ended():
            return
        if time.time() >= job.deadline:
            await writer.emit(
                ErrorEvent(code="timeout", message="The question expired in the queue")
            )
            return
        if await writer.cancelled():
            await _stopped(writer)
            return
        if self.settings.crash_marker and self.settings.crash_marker in job.question:
            log.critical("crash marker found: exiting hard (fault test hook)")
            os._exit(70)
        if delivery.attempt > 1:
            await writer.emit(RestartEvent(reason="redelivered"))
        await self._answer(job, delivery, writer)

    async def _answer(self, job: QueryRequested, delivery: Delivery, writer: StreamWriter) -> None:
        ctx = AnswerContext(
            job=job,
            emit=writer.emit,
            run_sql=self.run_sql,
            attempt=delivery.attempt,
            token_delay_s=self.settings.token_delay_ms / 1000,
        )
        log.info("job started", extra={"request_id": job.request_id, "attempt": delivery.attempt})
        task = asyncio.create_task(self.answerer.answer(ctx))
        entry = Running(task)
        self.running[job.request_id] = entry
        try:
            await asyncio.wait_for(asyncio.shield(task), max(job.deadline - time.time(), 0.001))
        except TimeoutError:
            task.cancel()
            await writer.emit(
                ErrorEvent(code="timeout", message="The answer took longer than its deadline")
            )
            return
        except asyncio.CancelledError:
            if entry.reason == "shutdown":
                raise Shutdown from None
            if entry.reason != "stopped":
                raise
            await _stopped(writer)
            return
        except AtlasError as err:
            await writer.emit(ErrorEvent(code=err.code, message=err.message))
            return
        except (StreamClosed, RedisError, OSError):
            raise
        except Exception:
            log.exception("answer failed", extra={"request_id": job.request_id})
            await writer.emit(
                ErrorEvent(code="internal_error", message="The answer failed on Atlas's side")
            )
            return
        finally:
            self.running.pop(job.request_id, None)
        await writer.emit(UsageEvent())
        await writer.emit(DoneEvent(conversation_id=job.conversation_id, steps=ctx.steps))
        log.info(
            "job answered",
            extra={"request_id": job.request_id, "attempt": delivery.attempt, "steps": ctx.steps},
        )

    def cancel(self, request_id: str, reason: str) -> bool:
        entry = self.running.get(request_id)
        if entry is None:
            return False
        entry.reason = reason
        entry.task.cancel()
        return True


async def _stopped(writer: StreamWriter) -> None:
    await writer.emit(StatusEvent(message="Stopped on request", stage="stopped"))
    await writer.emit(DoneEvent())
