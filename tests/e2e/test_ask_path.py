"""A question through the whole path: gateway -> RabbitMQ -> worker -> Redis -> client."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx

from tests.support.sse import SseFrame, parse_sse
from tests.support.stack import Stack
from tests.support.ui_chunks import check_sequence, validate_chunk

QUESTION = "How many users signed up last week?"


def signups_last_week(demo_db: Path) -> int:
    """Computed here, independently of the planner: Monday-based weeks, UTC."""
    today = datetime.now(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    with duckdb.connect(str(demo_db), read_only=True) as con:
        row = con.execute(
            "SELECT count(*) FROM users WHERE created_at >= ? AND created_at < ?",
            [this_monday - timedelta(days=7), this_monday],
        ).fetchone()
    assert row is not None
    return int(row[0])


def last_week_label() -> str:
    """The range the answer must state, e.g. "Nov 9 – Nov 15, 2026" (Monday to Sunday, UTC)."""
    today = datetime.now(UTC).date()
    start = today - timedelta(days=today.weekday() + 7)
    end = start + timedelta(days=6)
    year = "" if start.year == end.year else f", {start.year}"
    return f"{start:%b} {start.day}{year} – {end:%b} {end.day}, {end.year}"


def assert_states_signups(answer: str, expected: int) -> None:
    assert f"{expected:,} " in answer, answer
    assert "last week" in answer and last_week_label() in answer, answer


def only_value(data: dict[str, object]) -> object:
    """The single value of a one-row, one-column result, whatever the column is called."""
    rows, columns = data["rows"], data["columns"]
    assert isinstance(rows, list) and isinstance(columns, list) and len(columns) == 1
    assert len(rows) == 1 and list(rows[0]) == columns, data
    return rows[0][columns[0]]


def chat_body(text: str, chat_id: str = "chat-1") -> dict[str, object]:
    return {
        "id": chat_id,
        "trigger": "submit-message",
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}],
    }


def read_chat(gateway: str, body: dict[str, object]) -> tuple[httpx.Headers, list[SseFrame]]:
    with httpx.stream("POST", gateway + "/api/v1/chat", json=body, timeout=30) as r:
        assert r.status_code == 200, r.read()
        return r.headers, list(parse_sse(r.iter_lines()))


def test_query_answers_from_the_demo_data(gateway: str, demo_db: Path) -> None:
    r = httpx.post(gateway + "/api/v1/query", json={"question": QUESTION}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    expected = signups_last_week(demo_db)
    assert_states_signups(body["answer"], expected)
    assert len(body["sql"]) == 1 and "FROM users" in body["sql"][0]
    assert only_value(body["data"][0]) == expected
    assert body["requestId"] == r.headers["x-request-id"]
    assert isinstance(body["steps"], int) and body["steps"] >= 1
    assert body["usage"] == {"totalTokens": 0}


def test_chat_streams_valid_ai_sdk_frames(gateway: str, demo_db: Path) -> None:
    headers, frames = read_chat(gateway, chat_body(QUESTION))
    assert headers["x-vercel-ai-ui-message-stream"] == "v1"
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["x-request-id"] and headers["x-conversation-id"] == "chat-1"
    assert frames[-1].data == "[DONE]"
    chunks = [f.json for f in frames[:-1]]
    for chunk in chunks:
        validate_chunk(chunk)
    check_sequence(chunks)
    ids = [f.id for f in frames]
    assert all(ids) and len(set(ids)) == len(ids) and ids[0] == "0-0"
    text = "".join(c["delta"] for c in chunks if c["type"] == "text-delta")
    assert_states_signups(text, signups_last_week(demo_db))
    tool_input = next(c for c in chunks if c["type"] == "tool-input-available")
    assert tool_input["toolName"] == "executeSQL" and "sql" in tool_input["input"]
    output = next(c for c in chunks if c["type"] == "tool-output-available")["output"]
    assert only_value(output) == signups_last_week(demo_db)
    assert output["truncated"] is False


def test_two_workers_share_a_burst(stack: Stack, gateway: str, demo_db: Path) -> None:
    expected = signups_last_week(demo_db)

    def ask(_: int) -> str:
        r = httpx.post(gateway + "/api/v1/query", json={"question": QUESTION}, timeout=60)
        assert r.status_code == 200, r.text
        assert only_value(r.json()["data"][0]) == expected
        return str(r.json()["requestId"])

    with ThreadPoolExecutor(16) as pool:
        request_ids = set(pool.map(ask, range(24)))
    assert len(request_ids) == 24
    taken = {w.name: {rid for rid in request_ids if rid in w.output()} for w in stack.workers()}
    assert all(taken.values()), f"a worker took no job: { {k: len(v) for k, v in taken.items()} }"
    assert set().union(*taken.values()) == request_ids
    assert not set.intersection(*taken.values()), "a job was answered by two workers"


def test_unanswerable_question_is_an_honest_200(gateway: str) -> None:
    r = httpx.post(gateway + "/api/v1/query", json={"question": "Why is the sky blue?"}, timeout=30)
    assert r.status_code == 200
    body = r.json()
    assert body["sql"] == [] and body["data"] == []
    assert body["suggestions"] and "can't answer" in body["answer"]


def test_history_is_accepted_and_unknown_fields_ignored(gateway: str) -> None:
    body = chat_body(QUESTION, "chat-history")
    body["messages"] = [
        {"id": "u0", "role": "user", "parts": [{"type": "text", "text": "hello"}]},
        {"id": "a0", "role": "assistant", "parts": [{"type": "text", "text": "hi"}]},
        *body["messages"],  # type: ignore[list-item]
    ]
    body["somethingNew"] = {"x": 1}
    _, frames = read_chat(gateway, body)
    assert frames[-1].data == "[DONE]"
    assert any(f.type == "text-delta" for f in frames)
    assert not any(f.type == "error" for f in frames)


def test_frames_are_json_except_done(gateway: str) -> None:
    _, frames = read_chat(gateway, chat_body(QUESTION, "chat-json"))
    assert frames[-1].data == "[DONE]"
    parsed = [json.loads(frame.data) for frame in frames[:-1]]
    # An empty stream would pass the loop: an answer has at least a start, text and finish.
    assert len(parsed) >= 3 and parsed[0]["type"] == "start" and parsed[-1]["type"] == "finish"


def test_every_process_logs_json_lines_with_its_name(stack: Stack, gateway: str) -> None:
    """Logging is set up once, the same way, in every process (auth and query-api included)."""
    expected = {"worker-1": "query-worker", "worker-2": "query-worker", "auth": "auth",
                "query-api": "query-api", "gateway": "gateway"}
    for proc in stack.procs:
        if proc.name not in expected:
            continue
        lines = [json.loads(line) for line in proc.output().splitlines()
                 if line.startswith("{")]
        assert lines, f"{proc.name} wrote no JSON log line"
        assert {line["service"] for line in lines} == {expected[proc.name]}, proc.name
