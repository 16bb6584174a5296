"""The SDK against a running Atlas (auth mode none): typed answers, streams, resume, stop."""

from __future__ import annotations

import httpx
import pytest
from atlas_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncAtlas,
    Atlas,
    FinishEvent,
    Health,
    NotFoundError,
    QueryResult,
    RowsEvent,
    StatusEvent,
    Table,
    TextEvent,
    ToolCallEvent,
    ToolResultEvent,
    UnprocessableEntityError,
)

from tests.clients.conftest import LONG_QUESTION, QUESTION, Running
from tests.clients.drops import AsyncCutStreams, CutStreams, replayed_deltas
from tests.support.stack import free_port
from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def client(none_stack: Running) -> Atlas:
    return Atlas(none_stack.url)


def test_query_returns_a_typed_answer(client: Atlas) -> None:
    result = client.query(QUESTION)
    assert isinstance(result, QueryResult)
    assert result.answer and result.request_id
    assert result.sql and result.sql[0].upper().startswith("SELECT")
    assert result.data[0].columns and len(result.data[0].rows) == 1
    assert result.to_dict()["requestId"] == result.request_id


def test_stream_query_yields_typed_events_then_the_same_answer(client: Atlas) -> None:
    with client.stream_query(QUESTION) as stream:
        events = list(stream)
        result = stream.final_result()
    kinds = [type(e) for e in events]
    assert kinds.index(ToolCallEvent) < kinds.index(ToolResultEvent) < kinds.index(RowsEvent)
    call = next(e for e in events if isinstance(e, ToolCallEvent))
    rows = next(e for e in events if isinstance(e, RowsEvent))
    assert call.name == "executeSQL" and call.sql == result.sql[0]
    assert rows.columns == result.data[0].columns and rows.rows == result.data[0].rows
    assert result.answer == "".join(e.text for e in events if isinstance(e, TextEvent)).strip()
    assert events[-1] == FinishEvent("done")
    assert stream.request_id == result.request_id != ""


def test_a_dropped_stream_resumes_and_every_delta_arrives_once(none_stack: Running) -> None:
    transport = CutStreams(frames=8, cuts=3)
    with (
        Atlas(none_stack.url, http_client=httpx.Client(transport=transport)) as client,
        client.stream_query(LONG_QUESTION) as stream,
    ):
        events = list(stream)
    assert stream.resumes == 3
    deltas = [e.text for e in events if isinstance(e, TextEvent)]
    assert deltas == replayed_deltas(none_stack.url, stream.request_id)
    assert len(deltas) > 20 and events[-1] == FinishEvent("done")
    resumes = [r for r in transport.requests if r.method == "GET"]
    assert len(resumes) == 3 and all(r.headers.get("last-event-id") for r in resumes)
    assert all(stream.request_id in str(r.url) for r in resumes)


async def test_the_async_client_resumes_too(none_stack: Running) -> None:
    transport = AsyncCutStreams(frames=10, cuts=2)
    http = httpx.AsyncClient(transport=transport)
    async with AsyncAtlas(none_stack.url, http_client=http) as client:
        stream = await client.stream_query(LONG_QUESTION)
        async with stream:
            events = [e async for e in stream]
        await http.aclose()
    assert stream.resumes == 2
    deltas = [e.text for e in events if isinstance(e, TextEvent)]
    assert deltas == replayed_deltas(none_stack.url, stream.request_id)
    assert events[-1] == FinishEvent("done")


def test_a_stream_survives_a_real_connection_reset(none_stack: Running) -> None:
    port = int(none_stack.url.rsplit(":", 1)[1])
    proxy = TcpProxy("127.0.0.1", port).start()
    try:
        client = Atlas(f"http://127.0.0.1:{proxy.port}")
        with client.stream_query(LONG_QUESTION) as stream:
            events = []
            for event in stream:
                events.append(event)
                if sum(isinstance(e, TextEvent) for e in events) == 3 and stream.resumes == 0:
                    proxy.cut()  # both ends of the TCP connection reset under the SDK
                    proxy.restore()
        assert stream.resumes >= 1 and proxy.connections_seen >= 2
    finally:
        proxy.close()
    deltas = [e.text for e in events if isinstance(e, TextEvent)]
    assert deltas == replayed_deltas(none_stack.url, stream.request_id)


def test_a_run_can_be_picked_up_by_request_or_chat_id(client: Atlas, none_stack: Running) -> None:
    with client.stream_query(LONG_QUESTION, chat_id="chat-pick-up") as first:
        seen = [e for _, e in zip(range(12), first, strict=False)]
    # The connection is gone; another process could carry on from the last id it saw.
    for run_id in ("chat-pick-up", first.request_id):
        later = client.resume_stream(run_id, first.last_event_id)
        assert later is not None
        with later:
            rest = list(later)
        assert later.request_id == first.request_id
        deltas = [e.text for e in seen + rest if isinstance(e, TextEvent)]
        assert deltas == replayed_deltas(none_stack.url, first.request_id)
    assert client.resume_stream("no-such-chat") is None


def _stopped_after_two_tokens(client: Atlas) -> list[object]:
    events: list[object] = []
    with client.stream_query(LONG_QUESTION) as stream:
        for event in stream:
            events.append(event)
            if sum(isinstance(e, TextEvent) for e in events) == 2:
                assert stream.stop().stopped is True
    return events


def test_stop_ends_the_answer_early(client: Atlas) -> None:
    # The stop races the last tokens (about a second of them): on a machine loaded enough to
    # lose that race the answer ends "done", so a stop must land within three tries.
    for _ in range(3):
        events = _stopped_after_two_tokens(client)
        if events[-1] != FinishEvent("done"):
            break
    assert events[-1] == FinishEvent("stopped")
    assert any(isinstance(e, StatusEvent) and e.stage == "stopped" for e in events)


def test_stop_of_an_unknown_run_is_not_found(client: Atlas) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.stop("no-such-run")
    assert caught.value.status_code == 404 and caught.value.code == "not_found"


async def test_async_query_tables_and_health(none_stack: Running) -> None:
    async with AsyncAtlas(none_stack.url) as client:
        result = await client.query(QUESTION)
        tables = await client.tables()
        health = await client.health()
    assert result.sql and result.data
    assert {"users", "orders"} <= {t.table for t in tables}
    assert health.status == "ok" and health.auth_mode == "none"


def test_tables_validate_sql_and_health(client: Atlas) -> None:
    tables = client.tables()
    assert all(isinstance(t, Table) for t in tables)
    users = next(t for t in tables if t.table == "users")
    assert any(c.name == "created_at" for c in users.columns)
    ok = client.validate_sql("SELECT id FROM users")
    assert ok.valid and ok.errors == [] and ok.rewritten_sql
    refused = client.validate_sql("DROP TABLE users")
    assert not refused.valid and refused.errors and refused.errors[0].message
    health = client.health()
    assert isinstance(health, Health) and health.workers >= 1


def test_bad_input_is_a_typed_422(client: Atlas) -> None:
    with pytest.raises(UnprocessableEntityError) as caught:
        client.query("   ")
    assert caught.value.code == "validation_error"
    assert caught.value.details[0]["field"] == "question"


def test_connection_refused_is_retried_then_raised() -> None:
    attempts: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [attempts.append]})
    client = Atlas(f"http://127.0.0.1:{free_port()}", max_retries=2, http_client=http)
    with pytest.raises(APIConnectionError) as caught:
        client.tables()
    assert len(attempts) == 3
    assert "Cannot connect" in str(caught.value)


def test_a_read_timeout_is_a_typed_error_and_a_question_is_not_asked_twice(
    none_stack: Running,
) -> None:
    attempts: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [attempts.append]})
    client = Atlas(none_stack.url, timeout=httpx.Timeout(0.3, connect=5), http_client=http)
    with pytest.raises(APITimeoutError):
        client.query(LONG_QUESTION)
    assert len(attempts) == 1  # sent once: it may be running, so no retry
