"""Each internal service down in turn (SIGTERM) or hung (SIGSTOP): what depends on it answers
503 ``unavailable`` with Retry-After (identity fails closed: an unverifiable credential is
never let in, and never told it is invalid), what does not keep working, and everything works
again once it is back. docs/reliability.md lists the expected behaviour of each."""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.chaos.matrix_stack import MatrixStack, bearer
from tests.e2e.chaos.recovery import Stopwatch, record
from tests.support.stack import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.chaos_only]
Call = Callable[[MatrixStack], httpx.Response]
UNKNOWN_KEY = "atlas_sk_0123456789abcdef_" + "A" * 49  # well formed, never created


def _get(path: str, who: str = "session") -> Call:
    return lambda m: httpx.get(m.gateway + path, headers=_who(m, who), timeout=60)


def _post(path: str, body: dict[str, object], who: str = "session") -> Call:
    return lambda m: httpx.post(m.gateway + path, json=body, headers=_who(m, who), timeout=60)


def _who(m: MatrixStack, who: str) -> dict[str, str]:
    return bearer({"session": m.live_session, "key": m.live_key, "fresh": m.fresh_key,
                   "unknown": UNKNOWN_KEY}[who])


def _ask(who: str) -> Call:
    return lambda m: m.ask(_who(m, who))


SIGN_IN = _post("/api/auth/sign-in/email", {"email": "ops@example.com", "password": "x" * 12})


@dataclass(frozen=True)
class Case:
    refused: dict[str, tuple[Call, int]]  # 503 + Retry-After while out; the status once back
    working: dict[str, Call]  # 200 all along
    health: str  # /api/health status meanwhile


CASES = {
    # Fail closed: a credential the gateway has not verified yet cannot be (not 401: it may be
    # valid); one it verified before the outage stays valid for the cache TTL.
    "auth": Case(
        refused={"unknown key": (_get("/api/v1/conversations", "unknown"), 401),
                 "wrong password": (SIGN_IN, 401)},
        working={"cached key asks": _ask("key"),
                 "cached session lists": _get("/api/v1/conversations")},
        health="degraded",
    ),
    # A stored key not yet verified cannot be; key management is refused; sessions unaffected.
    "keys": Case(
        refused={"fresh key": (_get("/api/v1/conversations", "fresh"), 200),
                 "key list": (_get("/api/auth/api-key/list"), 200)},
        working={"session asks": _ask("session"), "cached key asks": _ask("key")},
        health="ok",
    ),
    # The default fallback is deny: no question is answered without its unit being counted.
    "entitlements": Case(
        refused={"ask": (_ask("key"), 200)},
        working={"conversations": _get("/api/v1/conversations"),
                 "key list": _get("/api/auth/api-key/list")},
        health="ok",
    ),
    # The reads it owns are refused; asking goes on (a question starts a new conversation).
    "query-api": Case(
        refused={"conversations": (_get("/api/v1/conversations"), 200),
                 "tables": (_get("/api/v1/tables"), 200),
                 "validate-sql": (_post("/api/v1/validate-sql", {"sql": "select 1"}), 200)},
        working={"ask": _ask("key")},
        health="degraded",
    ),
}


def _refused(m: MatrixStack, case: Case) -> dict[str, httpx.Response] | None:
    answers = {name: call(m) for name, (call, _) in case.refused.items()}
    return answers if all(r.status_code == 503 for r in answers.values()) else None


def _all_back(m: MatrixStack, case: Case) -> bool:
    return all(call(m).status_code == back for call, back in case.refused.values()) and all(
        call(m).status_code == 200 for call in case.working.values())


@pytest.mark.parametrize("how", ["down", "hung"])
@pytest.mark.parametrize("service", list(CASES))
def test_internal_service_out(matrix: MatrixStack, service: str, how: str) -> None:
    m, case = matrix, CASES[service]
    m.wait_healthy()
    m.new_fresh_key()
    m.new_live_credentials()
    for call in case.working.values():  # the caches a replica holds when the outage starts
        assert call(m).status_code == 200
    _take_out(m, service, how)
    try:
        refused = wait_for(lambda: _refused(m, case), timeout=90, interval=0.5,
                           what=f"503 from what needs {service}")
        for name, r in refused.items():
            assert r.json()["error"] == "unavailable", (name, r.text)
            assert int(r.headers["retry-after"]) >= 1, name
        for name, call in case.working.items():
            r = call(m)
            assert r.status_code == 200, (name, r.text)
        # /api/health is read in the background (ATLAS_GATEWAY_HEALTH_INTERVAL_S): poll it.
        wait_for(lambda: httpx.get(m.gateway + "/api/health", timeout=30).json()["status"]
                 == case.health, timeout=15, what=f"/api/health {case.health}")
    finally:
        _bring_back(m, service, how)
    with Stopwatch() as watch:
        wait_for(lambda: _all_back(m, case), timeout=60, interval=0.25,
                 what=f"everything answering after {service} came back")
    record(f"{service} {how}, then back", watch.seconds)


def _take_out(m: MatrixStack, service: str, how: str) -> None:
    if how == "hung":
        m.proc(service).popen.send_signal(signal.SIGSTOP)
    else:
        m.stop_service(service)


def _bring_back(m: MatrixStack, service: str, how: str) -> None:
    if how == "hung":
        m.proc(service).popen.send_signal(signal.SIGCONT)
    else:
        m.start_service(service)
