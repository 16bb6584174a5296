"""The LLM agent through the whole path, against scripted OpenAI- and Anthropic-style providers.

Every test runs once per provider kind (see ``conftest.py``): the worker's real SDK client
streams from the scripted server over HTTP, tools run through the guard on the demo DuckDB,
and the client reads AI SDK frames from the gateway.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from typing import Any

import aio_pika
import duckdb
import httpx

from atlas_common.bus import names
from atlas_common.messages import UsageRecorded, parse_message
from tests.e2e.agent.conftest import AgentStack
from tests.e2e.agent.scripted import Turn, call, error, say
from tests.support.sse import SseFrame, parse_sse
from tests.support.ui_chunks import check_sequence, validate_chunk

PRO_USERS = "SELECT COUNT(*) AS n FROM users WHERE plan = 'pro'"


def chat_body(text: str, history: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    turns = [*history, ("user", text)]
    return {
        "messages": [
            {"id": f"m{i}", "role": role, "parts": [{"type": "text", "text": content}]}
            for i, (role, content) in enumerate(turns)
        ]
    }


def read_chat(
    gateway: str, body: dict[str, Any], stop_after_deltas: int | None = None
) -> tuple[str, list[SseFrame], list[float]]:
    """Frames of a chat and when each arrived; stop the run after N text deltas when asked."""
    frames: list[SseFrame] = []
    arrived: list[float] = []
    with httpx.stream("POST", gateway + "/api/v1/chat", json=body, timeout=30) as r:
        assert r.status_code == 200, r.read()
        request_id = r.headers["x-request-id"]
        for frame in parse_sse(r.iter_lines()):
            frames.append(frame)
            arrived.append(time.monotonic())
            deltas = sum(f.type == "text-delta" for f in frames)
            if frame.type == "text-delta" and deltas == stop_after_deltas:
                stop = httpx.post(f"{gateway}/api/v1/chat/{request_id}/stop", timeout=10)
                assert stop.status_code == 200
    return request_id, frames, arrived


def of(frames: list[SseFrame], kind: str) -> list[dict[str, Any]]:
    return [f.json for f in frames if f.type == kind]


def text_of(frames: list[SseFrame]) -> str:
    return "".join(f["delta"] for f in of(frames, "text-delta"))


def error_of(frames: list[SseFrame]) -> dict[str, Any]:
    (err,) = of(frames, "error")
    body: dict[str, Any] = json.loads(err["errorText"])
    assert [f.type for f in frames[-2:]] == ["finish", "[DONE]"]
    return body


def independent(stack: AgentStack, sql: str) -> Any:
    with duckdb.connect(str(stack.demo_db), read_only=True) as con:
        row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_sql_tool_call_with_a_correction_returns_the_real_rows(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(
        s.key("happy"),
        call("describeEntity", name="users"),
        call("executeSQL", sql="SELECT COUNT(*) AS n FROM salaries"),
        call("executeSQL", sql=PRO_USERS),
        say("There are many pro users."),
    )
    _, frames, _ = read_chat(s.gateway, chat_body(f"How many pro users? {marker}"))
    chunks = [f.json for f in frames[:-1]]
    for chunk in chunks:
        validate_chunk(chunk)
    check_sequence(chunks)
    sql_inputs = [c["input"] for c in of(frames, "tool-input-available")
                  if c["toolName"] == "executeSQL"]
    assert sql_inputs == [{"sql": "SELECT COUNT(*) AS n FROM salaries"}, {"sql": PRO_USERS}]
    outputs = [c["output"] for c in of(frames, "tool-output-available")]
    assert "error" in outputs[1] and "salaries" in outputs[1]["error"]
    assert outputs[2]["columns"] == ["n"]
    assert outputs[2]["rows"] == [{"n": independent(s, PRO_USERS)}]
    assert text_of(frames) == "There are many pro users."
    (usage,) = of(frames, "data-usage")
    assert usage["data"] == {"inputTokens": 4 * 120, "outputTokens": 4 * 30,
                             "totalTokens": 4 * (120 + 30)}
    assert [f.type for f in frames[-2:]] == ["finish", "[DONE]"]
    sent = s.provider.requests[s.key("happy")]
    assert len(sent) == 4
    assert "Not in the semantic layer" in json.dumps(sent[2])  # the guard's words, fed back
    assert "describeEntity" in json.dumps(sent[0]) and "Ask back" in json.dumps(sent[0])


def test_the_json_answer_gathers_sql_data_and_text(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(
        s.key("json"), call("executeSQL", sql=PRO_USERS), say("Counted them.")
    )
    r = httpx.post(s.gateway + "/api/v1/query",
                   json={"question": f"How many pro users? {marker}"}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sql"] == [PRO_USERS]
    assert body["data"] == [{"columns": ["n"], "rows": [{"n": independent(s, PRO_USERS)}]}]
    assert body["answer"] == "Counted them."
    assert body["steps"] == 1


def test_the_json_answer_counts_the_tokens(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(s.key("tokens"), call("executeSQL", sql=PRO_USERS), say("Done."))
    r = httpx.post(s.gateway + "/api/v1/query", json={"question": f"x {marker}"}, timeout=30)
    assert r.json()["usage"] == {"totalTokens": 2 * (120 + 30)}


def test_tokens_reach_the_client_as_the_provider_sends_them(agent_stack: AgentStack) -> None:
    s = agent_stack
    words = "one two three four five six seven eight nine ten"
    marker = s.provider.script(s.key("pace"), say(words, chunk_delay_s=0.1))
    _, frames, arrived = read_chat(s.gateway, chat_body(f"Count slowly {marker}"))
    deltas = [t for f, t in zip(frames, arrived, strict=True) if f.type == "text-delta"]
    assert len(deltas) == 10
    assert deltas[-1] - deltas[0] >= 0.6  # spread over the provider's ~0.9 s, not one burst
    assert text_of(frames) == words


def test_a_follow_up_sends_the_chat_history(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(s.key("follow"), say("Business users, then."))
    history = [("user", "How many pro users?"), ("assistant", "There are 1,234 pro users.")]
    _, frames, _ = read_chat(s.gateway, chat_body(f"And business? {marker}", history))
    assert text_of(frames) == "Business users, then."
    sent = json.dumps(s.provider.requests[s.key("follow")][0]["messages"])
    first, answer, last = (sent.index("How many pro users?"),
                           sent.index("There are 1,234 pro users."), sent.index("And business?"))
    assert first < answer < last


def test_the_agent_asks_back_with_a_clarification(agent_stack: AgentStack) -> None:
    s = agent_stack
    ask = {"term": "revenue", "options": ["GMV", "Net revenue"],
           "question": "Do you mean GMV or net revenue?"}
    marker = s.provider.script(s.key("clarify"), call("askClarification", **ask))
    _, frames, _ = read_chat(s.gateway, chat_body(f"What was revenue? {marker}"))
    (clarification,) = of(frames, "data-clarification")
    assert clarification["data"] == ask
    assert text_of(frames) == ask["question"]


def test_a_stalled_provider_times_out(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(s.key("stall"), Turn(stall_s=8), Turn(stall_s=8))
    started = time.monotonic()
    _, frames, _ = read_chat(s.gateway, chat_body(f"Anything {marker}"))
    assert error_of(frames)["error"] == "provider_timeout"
    assert time.monotonic() - started < 8
    assert len(s.provider.requests[s.key("stall")]) == 2  # one retry, then the error


def test_a_rate_limit_is_a_provider_rate_limit(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(s.key("429"), error(429, "rate_limit_error", retry_after=30))
    _, frames, _ = read_chat(s.gateway, chat_body(f"Anything {marker}"))
    assert error_of(frames)["error"] == "provider_rate_limit"
    assert len(s.provider.requests[s.key("429")]) == 1  # 30 s is past the retry bound


def test_a_rate_limit_carries_the_providers_retry_after(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(s.key("429-ra"), error(429, "rate_limit_error", retry_after=30))
    r = httpx.post(s.gateway + "/api/v1/query", json={"question": f"x {marker}"}, timeout=30)
    assert r.json()["error"] == "provider_rate_limit"
    assert r.json()["retryAfterSeconds"] == 30 and r.headers["retry-after"] == "30"


def test_a_short_rate_limit_is_retried_with_backoff(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(
        s.key("429-once"), error(429, "rate_limit_error", retry_after=1), say("Recovered.")
    )
    r = httpx.post(s.gateway + "/api/v1/query", json={"question": f"x {marker}"}, timeout=30)
    assert r.status_code == 200 and r.json()["answer"] == "Recovered."
    assert len(s.provider.requests[s.key("429-once")]) == 2


def test_malformed_chunks_are_a_provider_error(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(s.key("garbled"), Turn(text=["Hello ", "world"], malformed=True))
    _, frames, _ = read_chat(s.gateway, chat_body(f"Anything {marker}"))
    assert error_of(frames)["error"] == "provider_error"


def test_a_client_stop_mid_answer_stops_the_agent(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(s.key("stop"), say("word " * 80, chunk_delay_s=0.05))
    _, frames, _ = read_chat(s.gateway, chat_body(f"Talk {marker}"), stop_after_deltas=3)
    statuses = [f["data"] for f in of(frames, "data-status")]
    assert any(status.get("stage") == "stopped" for status in statuses)
    assert [f.type for f in frames[-2:]] == ["finish", "[DONE]"]
    assert 3 <= len(of(frames, "text-delta")) < 80


def test_usage_is_recorded_on_the_bus_per_model_call(agent_stack: AgentStack) -> None:
    s = agent_stack
    marker = s.provider.script(s.key("usage"), call("executeSQL", sql=PRO_USERS), say("Done."))
    request_id, frames, _ = read_chat(s.gateway, chat_body(f"Count {marker}"))
    assert text_of(frames) == "Done."
    records = asyncio.run(usage_records(s.isolation.rabbitmq_url, request_id))
    assert sorted(r.idempotency_key for r in records) == [f"{request_id}:0", f"{request_id}:1"]
    assert {r.feature for r in records} == {"llm-tokens"}
    assert {r.customer_id for r in records} == {"default"}
    assert sum(r.amount for r in records) == 2 * (120 + 30)


async def usage_records(url: str, request_id: str, timeout: float = 10) -> list[UsageRecorded]:
    """Read the durable queue entitlements will consume (nothing consumes it in this stack)."""
    found: list[UsageRecorded] = []
    connection = await aio_pika.connect(url)
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(names.ENTITLEMENTS_USAGE_QUEUE, ensure=False)
        deadline = time.monotonic() + timeout
        while len(found) < 2 and time.monotonic() < deadline:
            message = await queue.get(no_ack=False, fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            await message.ack()  # the only reader: records of other requests are dropped
            parsed = parse_message(message.body)
            if isinstance(parsed, UsageRecorded) and parsed.request_id == request_id:
                found.append(parsed)
    finally:
        await connection.close()
    return found
