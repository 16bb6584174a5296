"""Answering one ``query.requested`` delivery: the handler the bus wrapper calls.

A delivery is idempotent: a job whose stream already ended is acked without work (a lost ack),
an expired job ends its stream with ``timeout``, a redelivered job announces a restart first.
Failures on Atlas's side end the stream with an error event; only a lost stream store (Redis)
makes the job retryable: down for longer than ATLAS_STREAM_WRITE_RETRY_S (the writer rides out
shorter outages), or back without the stream's data (StreamStoreLost, a RedisError). Either way
the delivery has already spent that bound retrying, so a Redis outage cannot use up the job's
delivery limit in a tight loop of requeues.

Once its stream has ended (answered, a clarification, "can't answer", an error, stopped), a job
publishes its ``query.answered`` record (``worker.audit``); a job dropped, handed back or
found already ended publishes nothing, so a request is recorded once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atlas_common.bus import Delivery, RetryableError
from atlas_common.errors import AtlasError
from atlas_common.messages import Outcome, QueryRequested
from atlas_common.stream import StreamClosed, StreamWriter
from atlas_common.stream_events import (
    DoneEvent,
    ErrorEvent,
    RestartEvent,
    StatusEvent,
    UsageEvent,
)
from atlas_query.answer.context import AnswerContext, Answerer, SqlRunner
from atlas_query.conversations.service import ConversationService
from atlas_query.worker.audit import AuditTrail, Publish, publish_answered, traced
from atlas_query.worker.recorder import TurnRecorder
from atlas_query.worker.settings import WorkerSettings

log = logging.getLogger(__name__)

#: Stops heard for runs this worker is not answering (yet), remembered so a stop that lands
#: between a job's cancel check and the start of its answer is not lost; every worker hears
#: every stop, so the memory is bounded.
EARLY_STOPS_KEPT = 1024


class Shutdown(RetryableError):
    """The worker is stopping: the job goes back to the queue for another worker."""


@dataclass(frozen=True)
class Ended:
    """How a job's stream ended, for its audit record."""

    outcome: Outcome
    code: str | None = None
    message: str | None = None

    @classmethod
    def error(cls, event: ErrorEvent) -> Ended:
        return cls("error", event.code, event.message)


CANCELLED = Ended("cancelled")


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
    conversations: ConversationService | None = None
    #: Where ``query.answered`` goes (the worker's confirmed bus publish); None: nowhere.
    publish: Publish | None = None
    running: dict[str, Running] = field(default_factory=dict)
    early_stops: OrderedDict[str, str] = field(default_factory=OrderedDict)
    #: Deliveries being handled (whatever their stage), for the graceful stop.
    in_hand: set[str] = field(default_factory=set)
    #: Set on SIGTERM: a delivery that arrives now goes back to the queue untouched.
    stopping: bool = False
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()

    def writer(self, job: QueryRequested, attempt: int) -> StreamWriter:
        return StreamWriter(
            self.redis,
            self.settings.redis_prefix,
            job.request_id,
            attempt,
            ttl_s=self.settings.stream_replay_ttl_s,
            max_events=self.settings.stream_replay_max,
            finished_ttl_s=self.settings.stream_finished_ttl_s,
            write_retry_s=self.settings.stream_write_retry_s,
        )

    async def handle(self, message: QueryRequested, delivery: Delivery) -> None:
        if self.stopping:  # delivered while the consumer was being cancelled: never started
            raise Shutdown("the worker is stopping")
        self.in_hand.add(message.request_id)
        self.idle.clear()
        writer = self.writer(message, delivery.attempt)
        try:
            await self._run(message, delivery, writer)
        except StreamClosed as closed:
            log.info("job dropped: %s", closed.reason, extra={"request_id": message.request_id})
        except (RedisError, OSError) as exc:
            raise RetryableError(f"stream store unavailable: {exc!r}") from exc
        finally:
            self.in_hand.discard(message.request_id)
            if not self.in_hand:
                self.idle.set()

    def hand_back(self) -> None:
        """The grace is over: every job in hand goes back to the queue. One whose answer has
        not begun yet is stopped as it begins (the early-stop memory); one past its answer
        (writing its end) finishes, and a redelivery of it finds the stream ended."""
        self.stopping = True
        for request_id in list(self.in_hand):
            self.cancel(request_id, "shutdown")

    async def _run(self, job: QueryRequested, delivery: Delivery, writer: StreamWriter) -> None:
        trail = AuditTrail(job)  # before the precheck: the duration is the job's, start to end
        ended, cancelled = await writer.precheck()  # one round trip for both
        if ended:
            return
        end = await self._end(job, delivery, writer, trail, cancelled)
        await publish_answered(self.publish, trail.event(end.outcome, end.code, end.message))

    async def _end(self, job: QueryRequested, delivery: Delivery, writer: StreamWriter,
                   trail: AuditTrail, cancelled: bool) -> Ended:
        if time.time() >= job.deadline:
            expired = ErrorEvent(code="timeout", message="The question expired in the queue")
            await writer.emit(expired)
            return Ended.error(expired)
        if cancelled:
            await _stopped(writer)
            return CANCELLED
        if delivery.attempt > 1:
            await writer.emit(RestartEvent(reason="redelivered"))
        return await self._answer(job, delivery, writer, trail)

    async def _answer(self, job: QueryRequested, delivery: Delivery, writer: StreamWriter,
                      trail: AuditTrail) -> Ended:
        job = await self._with_history(job)
        recorder = TurnRecorder(writer.emit, job, writer.emit_many, trail)
        ctx = AnswerContext(
            job=job,
            emit=recorder.emit,
            emit_many=recorder.emit_many,
            run_sql=self.run_sql,
            attempt=delivery.attempt,
            token_delay_s=self.settings.token_delay_ms / 1000,
        )
        log.debug("job started", extra={"request_id": job.request_id, "attempt": delivery.attempt})
        failed = await self._run_answerer(ctx, writer, trail)
        if failed is not None:
            return failed
        await ctx.flush()  # normally nothing: the narrative carried what was held
        if self.conversations is not None and job.conversation_id:
            await self.conversations.record(
                job.conversation_id, job.principal, job.surface, recorder.turn
            )
        done = DoneEvent(conversation_id=job.conversation_id, steps=ctx.steps)
        await writer.emit_many([done] if recorder.usage_sent else [UsageEvent(), done])
        log.debug(  # the gateway's access line is the INFO record of an answered question
            "job answered",
            extra={"request_id": job.request_id, "attempt": delivery.attempt, "steps": ctx.steps},
        )
        return Ended(trail.completed())

    async def _with_history(self, job: QueryRequested) -> QueryRequested:
        """A follow-up in a stored conversation gets its earlier turns as context."""
        if self.conversations is None or not job.conversation_id or job.history:
            return job
        history = await self.conversations.history(job.conversation_id, job.principal)
        return job.model_copy(update={"history": history}) if history else job

    async def _run_answerer(
        self, ctx: AnswerContext, writer: StreamWriter, trail: AuditTrail | None = None
    ) -> Ended | None:
        """Run the answer to its end (None), or say how it ended otherwise (the stream too)."""
        job = ctx.job
        trail = trail or AuditTrail(job)
        answer = self.answerer.answer(ctx)
        task = asyncio.create_task(traced(trail, answer))
        entry = Running(task)
        self.running[job.request_id] = entry
        early = self.early_stops.pop(job.request_id, None)
        if early is not None:  # stopped after _run's check, before the answer began
            entry.reason = early
            task.cancel()
            answer.close()  # it never starts: closed, not left for the GC to warn about
        try:
            await asyncio.wait_for(asyncio.shield(task), max(job.deadline - time.time(), 0.001))
        except TimeoutError:
            task.cancel()
            await ctx.flush()  # what the answer produced stays in the stream, before the end
            timeout = ErrorEvent(code="timeout", message="The answer took longer than its deadline")
            await writer.emit(timeout)
            return Ended.error(timeout)
        except asyncio.CancelledError:
            if entry.reason == "shutdown":
                raise Shutdown from None
            if entry.reason != "stopped":
                raise
            await ctx.flush()
            await _stopped(writer)
            return CANCELLED
        except AtlasError as err:
            await ctx.flush()
            failure = ErrorEvent(
                code=err.code, message=err.message, retry_after_seconds=_retry_after(err)
            )
            await writer.emit(failure)
            return Ended.error(failure)
        except (StreamClosed, RedisError, OSError):
            raise
        except Exception:
            log.exception("answer failed", extra={"request_id": job.request_id})
            await ctx.flush()
            internal = ErrorEvent(
                code="internal_error", message="The answer failed on Atlas's side"
            )
            await writer.emit(internal)
            return Ended.error(internal)
        finally:
            self.running.pop(job.request_id, None)
        return None

    def cancel(self, request_id: str, reason: str) -> bool:
        entry = self.running.get(request_id)
        if entry is None:
            self.early_stops[request_id] = reason
            while len(self.early_stops) > EARLY_STOPS_KEPT:
                self.early_stops.popitem(last=False)
            return False
        entry.reason = reason
        entry.task.cancel()
        return True


def _retry_after(err: AtlasError) -> int | None:
    """A provider's (or any dependency's) Retry-After, carried to the client."""
    value = err.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None


async def _stopped(writer: StreamWriter) -> None:
    await writer.emit_many([StatusEvent(message="Stopped on request", stage="stopped"),
                            DoneEvent()])
