"""PostgreSQL crashes and comes back: sessions, keys and conversations answer 503
``unavailable`` (with Retry-After) meanwhile, never a 500, and nothing committed is lost."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.chaos.matrix_stack import ADMIN, MatrixStack, bearer, until_statuses
from tests.e2e.chaos.recovery import Stopwatch, record
from tests.support.polling import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.chaos_only]


def _calls(m: MatrixStack) -> dict[str, httpx.Response]:
    """One call per PostgreSQL-backed part, none of which a cache can answer."""
    g, session = m.gateway, bearer(m.session)
    return {
        "sign-in": httpx.post(g + "/api/auth/sign-in/email", timeout=30,
                              json={"email": ADMIN["email"], "password": ADMIN["password"]}),
        "get-session": httpx.get(g + "/api/auth/get-session", headers=session, timeout=30),
        "key list": httpx.get(g + "/api/auth/api-key/list", headers=session, timeout=30),
        "conversations": httpx.get(g + "/api/v1/conversations", headers=session, timeout=30),
        "conversation": httpx.get(g + f"/api/v1/conversations/{m.conversation_id}",
                                  headers=session, timeout=30),
    }


def test_postgres_crash_answers_unavailable_then_loses_nothing(matrix: MatrixStack) -> None:
    m = matrix
    m.wait_healthy()
    before = _calls(m)
    assert {k: r.status_code for k, r in before.items()} == dict.fromkeys(before, 200)
    m.postgres.stop(mode="immediate")
    try:
        down = until_statuses(lambda: _calls(m), dict.fromkeys(before, 503),
                              "every PostgreSQL-backed call answering 503")
        for name, r in down.items():
            assert r.json()["error"] == "unavailable", (name, r.text)
            assert int(r.headers["retry-after"]) >= 1, name
        # /api/health is read in the background (ATLAS_GATEWAY_HEALTH_INTERVAL_S): poll it.
        assert wait_for(lambda: _health_error(m), timeout=10, what="/api/health 503 error")
    finally:
        m.postgres.start()
    with Stopwatch() as watch:
        until_statuses(lambda: _calls(m), dict.fromkeys(before, 200),
                       "every PostgreSQL-backed call answering again")
    record("PostgreSQL crash (immediate stop), restart", watch.seconds)
    _nothing_lost(m, before)


def _health_error(m: MatrixStack) -> bool:
    r = httpx.get(m.gateway + "/api/health", timeout=10)
    return r.status_code == 503 and r.json()["status"] == "error"


def _nothing_lost(m: MatrixStack, before: dict[str, httpx.Response]) -> None:
    after = _calls(m)
    assert after["get-session"].json()["user"] == before["get-session"].json()["user"]
    assert after["key list"].json()["total"] == before["key list"].json()["total"]
    assert m.key_id in {k["id"] for k in after["key list"].json()["apiKeys"]}
    assert after["conversation"].json()["messages"] == before["conversation"].json()["messages"]
    r = m.ask(conversationId=m.conversation_id)  # the stored key still opens the door
    assert r.status_code == 200, r.text
    assert r.json()["conversationId"] == m.conversation_id
