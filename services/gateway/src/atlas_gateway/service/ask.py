"""Asking: accept a question, hand it to the workers over the bus, and relay the answer.

Order matters: the gateway subscribes to the request's stream (confirmed by Redis) before it
publishes the job, so not one event can be missed; with no worker consuming it refuses at once
with ``unavailable`` rather than wait for the deadline. The plan gate runs before anything is
queued: ``query`` must be in the plan and one ``queries`` unit is spent (idempotent on the
request id); the unit is refunded when the job cannot be queued (a full queue or a confirm slow
under a burst, 503 ``overloaded``; the broker down, 503 ``unavailable``, both with
``Retry-After``), or when the answer ends with an error on Atlas's side (whichever replica
relays or resumes it sees that; refunds are idempotent). The cap on questions in flight is
checked before all this, in ``admission``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from atlas_common.bus import BrokerSlow, BrokerUnavailable, QueueFull
from atlas_common.entitlements import is_refundable
from atlas_common.errors import AtlasError, NotFound, Unavailable
from atlas_common.messages import HistoryTurn, QueryRequested
from atlas_common.metrics import REPLAY_HITS
from atlas_common.principal import Principal
from atlas_common.redis_resilience import pool_exhausted
from atlas_common.stream import Heartbeat, Listener, request_cancel
from atlas_common.stream_events import StreamEvent, is_terminal
from atlas_common.surface import SurfaceName
from atlas_common.ui_stream import Frame, frames_for_event, parse_frame_id, start_frame
from atlas_common.wire.conversations import is_conversation_id
from atlas_gateway.runs import RunRegistry
from atlas_gateway.schemas import QueryResponse
from atlas_gateway.service.charge import charge_question
from atlas_gateway.service.conversations import owns_conversation
from atlas_gateway.service.gather import AnswerGatherer
from atlas_gateway.state import GatewayState

log = logging.getLogger(__name__)


@dataclass
class Question:
    request_id: str
    text: str
    principal: Principal
    conversation_id: str | None = None
    chat_id: str | None = None
    history: tuple[HistoryTurn, ...] = ()
    surface: SurfaceName = "api"


@dataclass
class Run:
    request_id: str
    listener: Listener
    stack: contextlib.AsyncExitStack
    deadline: float
    conversation_id: str | None


class AskService:
    def __init__(self, state: GatewayState, runs: RunRegistry) -> None:
        self.state = state
        self.settings = state.settings
        self.runs = runs

    async def start(self, question: Question) -> Run:
        """Check for workers, subscribe, publish. Errors here become HTTP statuses."""
        await self._require_worker()
        await self._entitle(question)
        request_id = question.request_id
        deadline = time.time() + self.settings.query_deadline_s
        stack = contextlib.AsyncExitStack()
        try:
            listener = await stack.enter_async_context(self.state.hub.listen(request_id))
            ids = [i for i in (question.chat_id, question.conversation_id) if i]
            await self.runs.register(request_id, question.principal, *ids)
            await self.state.bus.publish(
                _job(request_id, question, deadline), expiration=self.settings.query_deadline_s
            )
        except BaseException as exc:
            await stack.aclose()
            self.state.entitlements.refund_soon(request_id)  # not queued: not spent
            refusal = self._publish_refusal(exc)
            if refusal is not None:
                raise refusal from exc
            raise
        return Run(request_id, listener, stack, deadline, question.conversation_id)

    async def answer(self, run: Run) -> QueryResponse:
        """Gather the whole answer (POST /api/v1/query)."""
        gatherer = AnswerGatherer(run.request_id, run.conversation_id)
        async with run.stack:
            async for item in run.listener.events(deadline=run.deadline + 5):
                if not isinstance(item, Heartbeat):
                    gatherer.add(item)
        if gatherer.error is not None and is_refundable(gatherer.error.code):
            self.state.entitlements.refund_soon(run.request_id)
        return gatherer.response()

    async def frames(
        self, run: Run, after: tuple[int, int] = (0, 0)
    ) -> AsyncGenerator[bytes, None]:
        """The AI SDK UI stream of a run, resumable from any frame id.

        A client that hangs up cancels this generator's task, and every await in its
        ``finally`` is cancelled again: the watch is spawned first, and the close (the hub's
        listener exit) awaits nothing that can be cut short."""
        finished = False
        try:
            yield start_frame(run.request_id).encode()
            async for chunk in self._event_frames(run, after):
                if chunk is None:
                    finished = True
                else:
                    yield chunk
        finally:
            if not finished:
                self._watch_abandoned(run.request_id)
            await run.stack.aclose()

    async def _event_frames(self, run: Run, after: tuple[int, int]) -> AsyncIterator[bytes | None]:
        after_seq = max(after[0] - 1, 0)
        events = run.listener.events(
            after_seq, deadline=run.deadline + 5, idle_s=self.settings.sse_heartbeat_s
        )
        previous: StreamEvent | None = None
        async for item in events:
            if isinstance(item, Heartbeat):
                yield b": ping\n\n"
                continue
            event = item
            previous = previous or run.listener.previous
            for frame in frames_for_event(event, previous, run.request_id):
                if _frame_key(frame) > after:
                    yield frame.encode()
            previous = event
            if is_terminal(event):
                if event.type == "error" and is_refundable(event.code):
                    self.state.entitlements.refund_soon(run.request_id)
                yield None

    async def resume(
        self, run_or_chat_id: str, principal: Principal, last_event_id: str | None
    ) -> tuple[Run, tuple[int, int]] | None:
        """A run to resume, or None when no run is active (204); 404 ``not_found`` for an id
        that names no run, chat or conversation of the caller."""
        request_id = await self.runs.resolve(run_or_chat_id, principal)
        if request_id is None:
            if not await self._own_conversation(run_or_chat_id, principal):
                raise NotFound("No run, chat or conversation of yours has this id")
            return None
        if last_event_id is None and await self.runs.has_ended(request_id):
            return None
        stack = contextlib.AsyncExitStack()
        listener = await stack.enter_async_context(self.state.hub.listen(request_id))
        deadline = time.time() + self.settings.query_deadline_s
        REPLAY_HITS.inc()
        return Run(request_id, listener, stack, deadline, None), _parse_after(last_event_id)

    async def _own_conversation(self, some_id: str, principal: Principal) -> bool:
        """A conversation of the caller with no run left (204, nothing to resume); only an id
        of the conversation format is asked of query-api."""
        if not is_conversation_id(some_id):
            return False
        return await owns_conversation(self.state, some_id, principal)

    async def stop(self, request_id: str, principal: Principal, *, settled: bool = True) -> None:
        """Cancel the caller's run. ``settled=False`` (upstream's stop) refuses a run that has
        already ended with the same 404 as an unknown one."""
        owned = await self.runs.resolve(request_id, principal)
        if owned is None or (not settled and await self.runs.has_ended(owned)):
            raise NotFound("No stoppable run with this id")
        await request_cancel(
            self.state.redis, self.settings.redis_prefix, owned, self.settings.stream_replay_ttl_s
        )

    async def _entitle(self, question: Question) -> None:
        """The plan gate: 403 / 429 / 503 before anything is queued (ARCHITECTURE.md, step 2)."""
        customer = question.principal.workspace_id
        await charge_question(self.state.entitlements, customer, question.request_id)

    async def _require_worker(self) -> None:
        """From the background reading (presence.py): no broker call per question."""
        refusal = await self.state.presence.refusal()
        if refusal is not None:
            raise self._unavailable(refusal)

    def _overloaded(self) -> AtlasError:
        """The job queue is full: the wait is its whole length at this replica's drain rate."""
        backlog = self.settings.query_queue_max_length or None
        return self.state.admission.refusal("Too many questions are waiting; try again later",
                                            backlog)

    def _publish_refusal(self, exc: BaseException) -> AtlasError | None:
        """A full queue, a confirm that timed out while connected, a Redis pool exhausted (at once
        or after its wait) or slow to confirm the subscription (a burst) are load:
        ``overloaded``; only a connection really lost is ``unavailable``."""
        if isinstance(exc, QueueFull):
            return self._overloaded()
        if isinstance(exc, BrokerSlow) and self.state.bus.is_connected:
            return self.state.admission.refusal("The message broker is busy; try again later")
        if pool_exhausted(exc) or isinstance(exc, RedisTimeoutError | TimeoutError):
            return self.state.admission.refusal("Too many questions at once; try again later")
        if isinstance(exc, BrokerUnavailable | RedisError | OSError):
            return self._unavailable("The question could not be queued")
        return None

    def _unavailable(self, message: str) -> AtlasError:
        return Unavailable(
            message,
            retry_after=self.settings.unavailable_retry_after_s,
        )

    def _watch_abandoned(self, request_id: str) -> None:
        """No listener anywhere for the grace period -> tell the worker to stop."""
        self.state.tasks.spawn(self._cancel_if_abandoned(request_id))

    async def _cancel_if_abandoned(self, request_id: str) -> None:
        await asyncio.sleep(self.settings.stream_grace_s)
        try:
            if await self.runs.has_ended(request_id):
                return
            if await self.state.hub.listener_count(request_id) == 0:
                log.info("no listener left: cancelling", extra={"request_id": request_id})
                await request_cancel(
                    self.state.redis,
                    self.settings.redis_prefix,
                    request_id,
                    self.settings.stream_replay_ttl_s,
                )
        except (RedisError, OSError):
            log.warning("could not check an abandoned run", extra={"request_id": request_id})


def _job(request_id: str, q: Question, deadline: float) -> QueryRequested:
    return QueryRequested(
        request_id=request_id,
        question=q.text,
        principal=q.principal,
        conversation_id=q.conversation_id,
        chat_id=q.chat_id,
        history=q.history,
        surface=q.surface,
        deadline=deadline,
    )


def _frame_key(frame: Frame) -> tuple[int, int]:
    seq, _, n = frame.id.partition("-")
    return int(seq), int(n)


def _parse_after(last_event_id: str | None) -> tuple[int, int]:
    parsed = parse_frame_id(last_event_id) if last_event_id else None
    return parsed or (0, 0)
