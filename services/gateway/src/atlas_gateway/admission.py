"""Admission: a cap on the questions one gateway replica answers at once (issue 22).

Past the cap a question is refused at once with 503 ``overloaded`` and a ``Retry-After``,
before anything else runs: no authentication, no body read, no broker, Redis or service call,
so a refusal costs microseconds and shedding load never adds load. Without the cap, every
question was queued: throughput fell as load rose and latency grew to the 120 s deadline.

``Retry-After`` is how long the work already in flight takes to drain at the rate this replica
has been finishing answers (an exponentially weighted rate, so it follows the load), drawn at
random up to twice that: callers refused in the same burst then come back spread out, not in
one wave that is refused again.
A question holds its slot until its answer is sent: the JSON body, or the last frame of its
stream (or the client leaving).

Open streams have a cap of their own (``ATLAS_GATEWAY_MAX_OPEN_STREAMS``, issue 27): a new chat
and a resumed stream each hold a stream slot for as long as the response lasts, and past the
cap they are refused the same way (503 ``overloaded``). It bounds what open streams cost a
replica, memory and file descriptors (docs/scaling.md), whatever the question cap allows.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas_common.errors import Overloaded, error_response
from atlas_common.service import APP_STATE

#: The routes that queue a question job (resume and stop do not: their run holds a slot).
QUESTION_ROUTES = frozenset({"/api/v1/query", "/api/v1/chat", "/api/chat"})
#: The routes that answer with a stream: a new chat (POST) and a resume (GET).
STREAM_POSTS = frozenset({"/api/v1/chat", "/api/chat"})
RESUME_PATH = re.compile(r"/api(?:/v1)?/chat/[^/]+/stream")
#: Both SDKs wait out a Retry-After up to 30 s by themselves; longer is never useful advice.
MAX_RETRY_AFTER_S = 30
#: Time constant of the drain rate: a few seconds follows a change of load, not one burst.
RATE_TAU_S = 10.0
#: Advice before anything was answered (a cold start under a burst): the shortest, since the
#: rate is measured within a second; a longer guess idles the workers while callers wait.
COLD_RETRY_AFTER_S = 1


class DrainRate:
    """Answers finished per second, an exponentially weighted moving average over time."""

    def __init__(self, tau_s: float = RATE_TAU_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._tau = tau_s
        self._clock = clock
        self._rate = 0.0
        self._at = clock()

    def tick(self) -> None:
        self._rate = self.per_second() + 1 / self._tau

    def per_second(self) -> float:
        now = self._clock()
        self._rate *= math.exp(-(now - self._at) / self._tau)
        self._at = now
        return self._rate


class Admission:
    """The in-flight count of one replica, its cap, and the advice given to refused callers."""

    def __init__(self, cap: int, stream_cap: int | None = None) -> None:
        self.cap = cap
        self.in_flight = 0
        self.refused = 0
        self.drain = DrainRate()
        self.stream_cap = stream_cap if stream_cap is not None else cap
        self.open_streams = 0

    def try_open_stream(self) -> bool:
        if self.open_streams >= self.stream_cap:
            self.refused += 1
            return False
        self.open_streams += 1
        return True

    def close_stream(self) -> None:
        self.open_streams -= 1

    def try_enter(self) -> bool:
        if self.in_flight >= self.cap:
            self.refused += 1
            return False
        self.in_flight += 1
        return True

    def leave(self, *, answered: bool) -> None:
        self.in_flight -= 1
        if answered:
            self.drain.tick()

    def retry_after(self, backlog: int | None = None) -> int:
        """Seconds until ``backlog`` questions (default: those in flight here) are answered."""
        rate = self.drain.per_second()
        if rate < 1 / RATE_TAU_S:  # nothing answered lately: no measure to go by
            return COLD_RETRY_AFTER_S
        waiting = self.in_flight if backlog is None else backlog
        return max(1, min(MAX_RETRY_AFTER_S, math.ceil(waiting / rate)))

    def refusal(self, message: str, backlog: int | None = None) -> Overloaded:
        base = self.retry_after(backlog)
        spread = random.randint(base, max(base, min(2 * base, MAX_RETRY_AFTER_S)))
        return Overloaded(message, retry_after=spread)


class AdmissionMiddleware:
    """Count the questions in flight and the open streams; refuse past either cap (503
    ``overloaded``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        admission = _admission_of(scope)
        question, stream = _kind(scope) if admission is not None else (False, False)
        if admission is None or not (question or stream):
            await self.app(scope, receive, send)
            return
        if stream and not admission.try_open_stream():
            refusal = admission.refusal(f"This gateway holds {admission.stream_cap} open "
                                        "streams at once; try again later")
            await error_response(Request(scope), refusal)(scope, receive, send)
            return
        try:
            if question:
                await self._question(admission, scope, receive, send)
            else:
                await self.app(scope, receive, send)
        finally:
            if stream:
                admission.close_stream()

    async def _question(self, admission: Admission, scope: Scope, receive: Receive,
                        send: Send) -> None:
        if not admission.try_enter():
            refusal = admission.refusal(f"This gateway answers {admission.cap} questions at "
                                        "once; try again later")
            await error_response(Request(scope), refusal)(scope, receive, send)
            return
        status = 0

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            admission.leave(answered=status == 200)


def _kind(scope: Scope) -> tuple[bool, bool]:
    """(queues a question, answers with a stream) for an HTTP request."""
    method, path = scope["method"], scope["path"]
    if method == "POST":
        return path in QUESTION_ROUTES, path in STREAM_POSTS
    return False, method == "GET" and RESUME_PATH.fullmatch(path) is not None


def _admission_of(scope: Scope) -> Admission | None:
    """The running app's admission (None outside HTTP or before the lifespan built it)."""
    if scope["type"] != "http":
        return None
    state = getattr(scope["app"].state, APP_STATE, None)
    admission = getattr(state, "admission", None)
    return admission if isinstance(admission, Admission) else None
