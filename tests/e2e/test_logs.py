"""The logs of a running stack: JSON lines, one access line per public request, a small budget
per answered question, one record per unhandled error, no secret.

The stack (managed auth, keys, query-api, one worker, the gateway) runs at DEBUG so that the
secret check also covers the lines an operator gets when debugging (every internal call, every
internal access line). What a process running at INFO writes is exactly its INFO-and-above lines
(the same formatter, the same records), so the INFO budget is counted over those.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support.polling import wait_for
from tests.support.stack import Stack, wait_for_workers
from tests.support.stacks import isolated_stack

QUESTIONS = 10
BUDGET_BYTES = 300  # of log at INFO, all processes together, per answered question
KEYS = {"ts", "level", "service", "logger", "msg"}
ACCESS_KEYS = {"request_id", "method", "route", "status", "duration_ms", "trace_id"}
QUESTION = "How many users signed up last week?"


@dataclass
class Logged:
    stack: Stack
    gateway: str
    database_url: str
    secrets: dict[str, str]  # what must never appear in a log, by name
    key: str  # the API key questions are asked with
    question_ids: list[str]  # request ids of the answered questions
    info_bytes: int  # INFO-and-above bytes all processes wrote while they were answered


def lines_of(stack: Stack) -> dict[str, list[str]]:
    return {proc.name: proc.output().splitlines() for proc in stack.procs}


def records(stack: Stack) -> list[dict[str, Any]]:
    return [json.loads(line) for lines in lines_of(stack).values() for line in lines]


def access_lines(stack: Stack) -> list[dict[str, Any]]:
    return [r for r in records(stack) if r["logger"] == "atlas.access" and r["level"] == "info"]


def info_bytes(stack: Stack) -> dict[str, int]:
    """Per process, the bytes of its INFO-and-above lines so far (newline included)."""
    return {
        name: sum(len(line.encode()) + 1 for line in lines
                  if json.loads(line)["level"] != "debug")
        for name, lines in lines_of(stack).items()
    }


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def sign_up_and_in(gateway: str, password: str) -> tuple[str, str]:
    """A session token from the sign-up, another from a sign-in with the same password."""
    account = {"email": "logs@example.com", "password": password, "name": "Lou Logs"}
    up = httpx.post(gateway + "/api/auth/sign-up/email", json=account, timeout=10)
    assert up.status_code == 200, up.text
    login = {"email": account["email"], "password": password}
    signed_in = httpx.post(gateway + "/api/auth/sign-in/email", json=login, timeout=10)
    assert signed_in.status_code == 200, signed_in.text
    return str(up.json()["token"]), str(signed_in.json()["token"])


def wait_for_access_lines(stack: Stack, request_ids: set[str]) -> None:
    wait_for(lambda: {a["request_id"] for a in access_lines(stack)} >= request_ids,
             timeout=30, what="an access line for every request")


def ask_questions(stack: Stack, gateway: str, key: str,
                  earlier: str) -> tuple[list[str], int]:
    """Answer QUESTIONS questions; the INFO bytes written meanwhile, once each has its line.

    The access line of a request is written after its response is sent: the count starts once
    the line of the `earlier` request (the last one before) is in, or it would count it too.
    """
    wait_for_access_lines(stack, {earlier})
    before = info_bytes(stack)
    ids = []
    for _ in range(QUESTIONS):
        r = httpx.post(gateway + "/api/v1/query", json={"question": QUESTION},
                       headers={"x-api-key": key}, timeout=60)
        assert r.status_code == 200 and r.json()["sql"], r.text
        ids.append(str(r.json()["requestId"]))
    wait_for_access_lines(stack, set(ids))
    after = info_bytes(stack)
    return ids, sum(after[name] - before.get(name, 0) for name in after)


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Logged]:
    directory = tmp_path_factory.mktemp("logs")
    internal_token = secrets.token_hex(24)
    # its own stack: it reads every line its processes log (DEBUG, JSON) for secrets and bytes.
    env = {
        "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
        "ATLAS_INTERNAL_TOKEN": internal_token,
        "ATLAS_LOG_JSON": "true",
        "ATLAS_LOG_LEVEL": "DEBUG",
    }
    with isolated_stack(directory, env) as (stack, iso):
        with stack.together():
            stack.start("atlas-query-worker", "worker-1")
            stack.start_keys()
            stack.start_auth({"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": "l" * 40,
                              "ATLAS_SIGNUP": "open", "ATLAS_AUTH_ARGON2_TIME_COST": "1",
                              "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192"})
            stack.start_query_api()
            gateway = stack.start_gateway()
        wait_for_workers(gateway, 1)
        password = "a password nobody logs " + secrets.token_hex(8)
        session, signed_in = sign_up_and_in(gateway, password)
        created = httpx.post(gateway + "/api/auth/api-key/create", json={"name": "logs"},
                             headers=bearer(session), timeout=10)
        assert created.status_code == 200, created.text
        key = str(created.json()["key"])
        ids, written = ask_questions(stack, gateway, key, created.headers["x-request-id"])
        found = {"api key": key, "password": password, "internal token": internal_token,
                 "session token": session, "signed-in session token": signed_in}
        yield Logged(stack, gateway, iso.database_url, found, key, ids, written)


def test_every_line_of_every_process_is_json_with_the_common_keys(logged: Logged) -> None:
    for name, lines in lines_of(logged.stack).items():
        assert lines, f"{name} wrote nothing"
        for line in lines:
            record = json.loads(line)  # a plain-text line (a bare traceback) fails here
            assert isinstance(record, dict) and record.keys() >= KEYS, (name, line)
            assert "color_message" not in record, (name, line)


def test_an_answered_question_is_one_access_line_at_the_gateway(logged: Logged) -> None:
    lines = access_lines(logged.stack)
    assert {line["service"] for line in lines} == {"gateway"}  # internal ones are DEBUG
    for request_id in logged.question_ids:
        mine = [line for line in lines if line["request_id"] == request_id]
        assert len(mine) == 1, mine
        line = mine[0]
        assert line.keys() >= ACCESS_KEYS, line
        assert (line["method"], line["route"], line["status"]) == ("POST", "/api/v1/query", 200)
        assert isinstance(line["duration_ms"], float) and len(line["trace_id"]) == 32
        worker = [r for r in records(logged.stack)
                  if r["service"] == "query-worker" and r.get("request_id") == request_id]
        assert worker and {r["trace_id"] for r in worker} == {line["trace_id"]}  # one trace


def test_info_logs_per_answered_question_fit_the_budget(logged: Logged) -> None:
    per_question = logged.info_bytes / QUESTIONS
    print(f"log at INFO per answered question, all processes: {per_question:.0f} bytes")
    assert per_question <= BUDGET_BYTES


def test_routes_are_templates_and_query_strings_are_not_logged(logged: Logged) -> None:
    conversation, query = "c" + secrets.token_hex(8), "t" + secrets.token_hex(8)
    r = httpx.get(logged.gateway + f"/api/v1/conversations/{conversation}?token={query}",
                  headers={"x-api-key": logged.key}, timeout=10)
    assert r.status_code in (400, 404), r.text
    request_id = r.headers["x-request-id"]
    wait_for(lambda: any(a["request_id"] == request_id for a in access_lines(logged.stack)),
             timeout=10, what="the access line")
    line = next(a for a in access_lines(logged.stack) if a["request_id"] == request_id)
    assert line["route"] == "/api/v1/conversations/{conversation_id}"
    assert conversation not in json.dumps(line)
    # Not even the DEBUG line of the relayed call (its path names the id; its query is cut).
    assert not any(query in row for rows in lines_of(logged.stack).values() for row in rows)


async def _rename(database_url: str, old: str, new: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"ALTER TABLE query.{old} RENAME TO {new}")
    finally:
        await conn.close()


def test_an_unhandled_error_is_one_record_with_its_traceback(logged: Logged) -> None:
    """A table gone from under the query API (in this stack's own database) is a real bug
    path: the listing raises asyncpg's UndefinedTableError, which nothing handles."""
    asyncio.run(_rename(logged.database_url, "conversations", "conversations_gone"))
    try:
        r = httpx.get(logged.gateway + "/api/v1/conversations", headers={"x-api-key": logged.key},
                      timeout=10)
    finally:
        asyncio.run(_rename(logged.database_url, "conversations_gone", "conversations"))
    assert r.status_code == 500 and r.json()["error"] == "internal_error", r.text
    request_id = r.headers["x-request-id"]
    errors = wait_for(lambda: [x for x in records(logged.stack) if "exc" in x
                               and "UndefinedTableError" in x["exc"]],
                      timeout=10, what="the error record")
    assert len(errors) == 1, errors
    error = errors[0]
    assert (error["service"], error["level"], error["msg"]) == ("query-api", "error",
                                                                "unhandled error")
    assert error["request_id"] == request_id  # the gateway's id, passed on to the query API
    assert error["route"] == "/api/v1/conversations"
    everything = "\n".join(row for rows in lines_of(logged.stack).values() for row in rows)
    assert everything.count("UndefinedTableError: relation") == 1
    assert "Exception in ASGI application" not in everything
    wait_for(lambda: any(a["request_id"] == request_id and a["status"] == 500
                         for a in access_lines(logged.stack)),
             timeout=10, what="the 500's access line")


def test_no_secret_reaches_a_log(logged: Logged) -> None:
    key_secret = logged.key.rsplit("_", 1)[-1]
    for name, lines in lines_of(logged.stack).items():
        text = "\n".join(lines)
        for what, secret in {**logged.secrets, "api key secret": key_secret}.items():
            assert secret not in text, f"the {what} is in the log of {name}"
