"""The query worker's audit record: one ``query.answered`` per request, as its stream ended.

A real worker (the demo DuckDB, row-level security on ``orders.country`` from the claim
``country``) on a vhost of its own answers jobs published on the bus; a private queue bound to
``query.answered`` receives what it publishes, with the AMQP properties on the wire.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import duckdb
import pytest
from opentelemetry import trace

from atlas_common.bus import Bus, Delivery, names
from atlas_common.messages import QueryAnswered, QueryRequested, parse_message
from atlas_common.principal import Principal
from atlas_common.stream import request_cancel
from atlas_common.surface import Surface
from atlas_common.telemetry import setup_tracing
from atlas_query.demo import generate_demo
from atlas_query.worker.audit import answered_event_id
from atlas_query.worker.process import QueryWorker
from atlas_query.worker.settings import WorkerSettings
from tests.support.inprocess import isolated
from tests.support.isolation import Isolation
from tests.support.polling import eventually

RLS = [{"tables": ["orders"], "column": "country", "claim": "country"}]
ANALYST = Principal(user_id="u-audit", workspace_id="ws-audit", role="analyst",
                    claims={"country": "Germany"}, auth_mode="managed", credential_id="key-audit")


@dataclass
class Audited:
    worker: QueryWorker
    bus: Bus
    demo: Path
    channel: aio_pika.abc.AbstractChannel
    messages: list[aio_pika.abc.AbstractIncomingMessage] = field(default_factory=list)

    def of(self, request_id: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
        return [m for m in self.messages if json.loads(m.body)["request_id"] == request_id]

    async def ask(self, question: str, principal: Principal = ANALYST, surface: Surface = "web",
                  stopped: bool = False) -> tuple[QueryRequested, QueryAnswered]:
        job = QueryRequested(request_id=uuid.uuid4().hex, question=question, principal=principal,
                             surface=surface, conversation_id=None, deadline=time.time() + 60)
        if stopped:  # the asker stopped it before a worker took it
            settings = self.worker.settings
            await request_cancel(self.worker.redis, settings.redis_prefix, job.request_id, 60)
        await self.bus.publish(job)
        [message] = await eventually(lambda: self.of(job.request_id), timeout=30,
                                     what=f"query.answered for {question!r}")
        event = parse_message(message.body)
        assert isinstance(event, QueryAnswered)
        return job, event


@pytest.fixture(scope="module")
async def audited(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Audited]:
    # A vhost of its own, so no other worker takes these jobs (create() runs its own loop).
    iso = await asyncio.to_thread(Isolation().create)
    try:
        async with _running(iso, tmp_path_factory.mktemp("audit") / "demo.duckdb") as audited:
            yield audited
    finally:
        await asyncio.to_thread(iso.remove)


@asynccontextmanager
async def _running(iso: Isolation, demo: Path) -> AsyncIterator[Audited]:
    await asyncio.to_thread(generate_demo, demo, datetime.now(UTC) - timedelta(hours=1))
    settings = isolated(WorkerSettings)(
        DATABASE_URL=iso.database_url, ATLAS_RABBITMQ_URL=iso.rabbitmq_url,
        ATLAS_REDIS_URL=iso.redis_url, ATLAS_REDIS_PREFIX=iso.redis_prefix,
        ATLAS_DATASOURCE_URL=str(demo), ATLAS_PLANNER="semantic", ATLAS_RLS_POLICIES=RLS,
    )
    setup_tracing("tests")  # as a process does: the bus then carries traceparent
    worker = QueryWorker(settings)
    connection = await aio_pika.connect(iso.rabbitmq_url)
    try:
        await worker.start()
        bus = await Bus.connect(iso.rabbitmq_url, delivery_limit=5)
        channel = await connection.channel()
        audited = Audited(worker, bus, demo, channel)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(names.EVENTS_EXCHANGE, names.QUERY_ANSWERED)
        await queue.consume(_keep(audited.messages), no_ack=True)
        yield audited
        await bus.close()
    finally:
        await connection.close()
        await worker.close()


def _keep(into: list[aio_pika.abc.AbstractIncomingMessage]) -> Any:
    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        into.append(message)
    return on_message


def _identity(job: QueryRequested, event: QueryAnswered) -> None:
    """The fields every record copies from the job."""
    assert event.event_id == answered_event_id(job.request_id)
    assert event.occurred_at == job.occurred_at
    assert (event.request_id, event.question) == (job.request_id, job.question)
    assert (event.user_id, event.workspace_id, event.role) == ("u-audit", "ws-audit", "analyst")
    assert (event.auth_mode, event.credential_id) == (job.principal.auth_mode, "key-audit")
    assert (event.surface, event.conversation_id) == (job.surface, None)
    assert event.datasource == "default" and event.tokens == 0
    assert event.answered_by == "semantic"
    assert 0 <= event.duration_ms < 30_000


async def test_an_answer_records_the_sql_as_it_ran_with_row_level_security(
    audited: Audited,
) -> None:
    job, event = await audited.ask("What is our average order value by country?",
                                   surface="scheduled")
    _identity(job, event)
    assert event.outcome == "answered"
    assert (event.error_code, event.error_message) == (None, None)
    [sql] = event.sql
    assert "country = 'Germany'" in sql  # the RLS predicate the guard added
    assert "LIMIT 1001" in sql  # and the automatic LIMIT (ATLAS_ROW_LIMIT + 1)
    assert event.tables == ("orders",)
    with duckdb.connect(":memory:") as con:  # the worker holds the file open in-process
        con.execute(f"ATTACH '{audited.demo}' AS demo (READ_ONLY)")
        con.execute("USE demo")
        rows = con.execute(sql).fetchall()
    assert event.row_count == len(rows) == 1  # one country is visible: Germany


async def test_the_message_on_the_wire_is_persistent_traced_and_identified(
    audited: Audited,
) -> None:
    with trace.get_tracer("tests").start_as_current_span("ask") as span:
        job, event = await audited.ask("How many users signed up last week?")
    [message] = audited.of(job.request_id)
    assert message.message_id == event.event_id and message.type == "query.answered"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    traceparent = str((message.headers or {})["traceparent"])
    assert traceparent.split("-")[1] == format(span.get_span_context().trace_id, "032x")
    assert event.tables == ("users",) and event.row_count == 1
    assert "country" not in event.sql[0]  # users has no policy


async def test_a_clarifying_question_runs_no_sql(audited: Audited) -> None:
    job, event = await audited.ask("What was revenue last month?")
    _identity(job, event)
    assert event.outcome == "clarification"
    assert (event.sql, event.tables, event.row_count) == ((), (), None)


async def test_a_question_it_cannot_answer_is_not_understood(audited: Audited) -> None:
    job, event = await audited.ask("What is our churn rate?")
    _identity(job, event)
    assert event.outcome == "not_understood"
    assert (event.sql, event.row_count, event.error_code) == ((), None, None)


async def test_a_refused_question_is_an_error_with_the_message_the_asker_saw(
    audited: Audited,
) -> None:
    no_claim = ANALYST.model_copy(update={"claims": {}})  # row-level security fails closed
    job, event = await audited.ask("What is our average order value by country?", no_claim)
    _identity(job, event)
    assert event.outcome == "error" and event.error_code == "invalid_request"
    assert event.error_message is not None and "Row-level security" in event.error_message
    assert "Traceback" not in event.error_message
    assert (event.sql, event.row_count) == ((), None)  # refused: nothing ran


async def test_a_redelivered_job_publishes_the_same_event(audited: Audited) -> None:
    job, first = await audited.ask("How many orders were there?")
    # The first attempt's stream is lost (as if Redis lost it before the ack): the job runs again.
    redis, prefix = audited.worker.redis, audited.worker.settings.redis_prefix
    keys = [k async for k in redis.scan_iter(match=f"{prefix}stream:{job.request_id}*")]
    assert keys
    await redis.delete(*keys)
    assert audited.worker.runner is not None
    again = Delivery(attempt=2, redelivered=True, routing_key=names.QUERY_REQUESTED, headers={})
    await audited.worker.runner.handle(job, again)
    messages = await eventually(lambda: len(audited.of(job.request_id)) == 2 and
                                audited.of(job.request_id), timeout=30)
    second = parse_message(messages[1].body)
    assert isinstance(second, QueryAnswered)
    assert (second.event_id, second.occurred_at) == (first.event_id, first.occurred_at)
    assert messages[1].message_id == messages[0].message_id
    assert second.sql == first.sql and second.outcome == "answered"


async def test_a_job_found_ended_publishes_nothing(audited: Audited) -> None:
    job, _ = await audited.ask("How many orders were there?")
    assert audited.worker.runner is not None
    again = Delivery(attempt=2, redelivered=True, routing_key=names.QUERY_REQUESTED, headers={})
    await audited.worker.runner.handle(job, again)  # a lost ack: the stream has ended
    marker, _ = await audited.ask("How many users signed up last week?")  # published after
    assert audited.of(marker.request_id)
    assert len(audited.of(job.request_id)) == 1


async def test_a_dead_lettered_job_is_recorded_as_an_error(audited: Audited) -> None:
    job = QueryRequested(request_id=uuid.uuid4().hex, question="q", principal=ANALYST,
                         deadline=time.time() + 60)
    dead = await audited.channel.get_exchange(names.JOBS_DLX)
    await dead.publish(aio_pika.Message(job.model_dump_json().encode()),
                       routing_key=names.QUERY_REQUESTED_DEAD)
    [message] = await eventually(lambda: audited.of(job.request_id), timeout=30)
    event = parse_message(message.body)
    assert isinstance(event, QueryAnswered)
    assert event.event_id == answered_event_id(job.request_id)
    assert (event.outcome, event.error_code) == ("error", "internal_error")
    assert event.error_message and "failed on every attempt" in event.error_message
    assert (event.sql, event.row_count) == ((), None)


async def test_a_stopped_question_is_recorded_as_cancelled(audited: Audited) -> None:
    job, event = await audited.ask("How many orders were there?", stopped=True)
    _identity(job, event)
    assert event.outcome == "cancelled"
    assert (event.sql, event.row_count, event.error_code) == ((), None, None)
