"""The gateway's OpenAPI document describes what the gateway does: schemathesis, every check,
over every operation of the document, in the three auth modes (issue 22).

- none: the session's stack (two workers), so asking really answers (200, SSE).
- simple-key and managed: one private stack (auth in each mode, keys, query-api, one gateway
  per mode, no worker: asking is the documented 503 ``unavailable``).

Examples are bounded and derandomized (a fixed seed per operation), so a run is reproducible
and the three modes stay within a few minutes. Requests carry the mode's credential; the
``ignored_auth`` check sends them without it too, so every 401 must be documented.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks

from atlas_gateway.main import create_app
from atlas_gateway.settings import GatewaySettings
from tests.support.stack import wait_for_workers
from tests.support.stacks import isolated_stack

KEY = "schemathesis-simple-key-0123456789abcdef"
SECRET = "s" * 40
ADMIN = {"email": "schema-admin@example.com", "password": "a long enough password",
         "name": "Schema Admin"}
#: Per operation and phase; with the coverage phase (boundaries and every documented status)
#: this reaches every status, few enough that `make test` stays in its time budget.
MAX_EXAMPLES = 5
#: schemathesis's default for "a schema-valid request is accepted".
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
    database=None,
)


@dataclass
class Target:
    url: str
    #: "Authorization" as the document's scheme spells it: ignored_auth's probes remove the
    #: credential by that (case-sensitive) name.
    headers: dict[str, str] = field(default_factory=dict)
    #: Checks that do not apply to this mode (with the reason next to where it is set).
    excluded: list[Any] = field(default_factory=list)


@dataclass
class Private:
    simple_key: Target
    managed: Target
    managed_login: dict[str, str]


def _config() -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": 22,
            "checks": {"enabled": True},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "generation": {"max-examples": MAX_EXAMPLES},
            "operations": [
                {
                    # "Some user message, the last of which has text" is not a JSON Schema
                    # property (messages is a history): no user message is 400
                    # invalid_request, a blank last one 422 validation_error.
                    "include-name": "POST /api/v1/chat",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 400, 422]}
                    },
                },
                {
                    # The SQL guard's verdict (one SELECT on the layer's tables) is not a JSON
                    # Schema property: refused SQL is 400 invalid_request.
                    "include-name": "POST /api/v1/execute-sql",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 400]}},
                },
                {
                    # The current password is a secret, not a schema property: a wrong one is
                    # 400 invalid_request.
                    "include-name": "POST /api/auth/change-password",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 400]}},
                },
                {
                    # An email already taken is state, not a schema property: 400
                    # invalid_request (the same example is tried more than once).
                    "include-name": "POST /api/admin/users",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 400]}},
                },
                {
                    # A cron expression that parses and recipients that fit the channel are
                    # not JSON Schema properties (400 invalid_cron / invalid_recipients), nor
                    # is a name or question that is only whitespace (422 validation_error).
                    "include-name": "POST /api/v1/scheduled-tasks",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 400, 422]}
                    },
                },
                {
                    "include-name": "PUT /api/v1/scheduled-tasks/{id}",
                    "checks": {
                        "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 400, 422]}
                    },
                },
                {
                    # The keys service checks a name's characters by Unicode category (no
                    # control or format character, services/keys schemas.py), which no portable
                    # JSON Schema pattern says, and takes expiresIn strictly as a JSON integer
                    # (JSON Schema's "integer" also admits 3600.0): both 422 validation_error.
                    "include-name": "POST /api/auth/api-key/create",
                    "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 422]}},
                },
                # The audit filters: a date that parses, `from` before `to` and a cursor this
                # API returned are not JSON Schema properties (422 validation_error).
                *(
                    {
                        "include-name": f"GET /api/v1/admin/audit{suffix}",
                        "checks": {
                            "positive_data_acceptance": {"expected-statuses": [*ACCEPTED, 422]}
                        },
                    }
                    for suffix in ("", "/stats", "/export")
                ),
            ],
        }
    )


def _document() -> dict[str, Any]:
    """The document the gateway serves, built as it builds it (no server needed to collect
    the tests: pytest 9 and schemathesis's lazy fixture loader do not mix);
    ``test_served_document_is_the_one_checked`` holds each running gateway to it."""
    return create_app(GatewaySettings()).openapi()


DOCUMENT = _document()


@pytest.fixture(scope="module")
def private_stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Private]:
    """auth (simple-key) + auth (managed) + keys + query-api, a gateway for each mode."""
    directory = tmp_path_factory.mktemp("openapi")
    # its own stack: fuzzed writes (users, keys, tasks) and an admin simple key would disturb others
    env = {"ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb")}
    with isolated_stack(directory, env) as (stack, _):
        with stack.together():
            stack.start("atlas-query-worker", "worker")  # both gateways' questions are answered
            stack.start_keys()
            stack.start_query_api()
            stack.start_scheduler()
            stack.start_audit()
            stack.start_auth({"ATLAS_AUTH_MODE": "api-key", "ATLAS_API_KEY": KEY,
                              "ATLAS_API_KEY_ROLE": "admin"})
            simple = stack.start_gateway("gateway-simple-key")
            stack.start_auth({"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": SECRET,
                              "ATLAS_AUTH_ARGON2_TIME_COST": "1",
                              "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192"})
            managed = stack.start_gateway("gateway-managed")
        wait_for_workers(managed)
        r = httpx.post(managed + "/api/auth/sign-up/email", json=ADMIN, timeout=10)
        assert r.status_code == 200, r.text
        yield Private(
            Target(simple, {"Authorization": f"Bearer {KEY}"}),
            Target(managed, {"Authorization": f"Bearer {r.json()['token']}"}),
            {"email": ADMIN["email"], "password": ADMIN["password"]},
        )


@pytest.fixture(scope="module")
def none_target(gateway: str) -> Target:
    # No credential exists in this mode: every request is the anonymous admin by design, so
    # "a request without credentials is refused" (ignored_auth) does not apply.
    return Target(gateway, excluded=[openapi_checks.ignored_auth])


def _headers_for(case: Any, target: Target, login: dict[str, str] | None) -> dict[str, str]:
    """The mode's credential; a sign-out ends a session of its own, never the suite's."""
    if login is not None and case.path == "/api/auth/sign-out":
        r = httpx.post(target.url + "/api/auth/sign-in/email", json=login, timeout=10)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}
    return target.headers


def _call(case: Any, target: Target, login: dict[str, str] | None = None) -> None:
    case.call_and_validate(
        base_url=target.url,
        headers=_headers_for(case, target, login),
        excluded_checks=target.excluded or None,
        timeout=60,
    )


API = schemathesis.openapi.from_dict(DOCUMENT, config=_config())
#: The session's none-mode stack streams its answers slowly on purpose (TOKEN_DELAY_MS, so that
#: "mid-answer" is a window other tests hit): each of the ~60 questions schemathesis asks of
#: POST /api/v1/query waited for a whole answer (48 s, a third of this module). The operation
#: is fuzzed in the two modes below on a stack without the delay; what none mode adds is auth,
#: which test_errors.py and test_ask_path.py cover for it.
API_NONE = API.exclude(method="POST", path="/api/v1/query")


@API_NONE.parametrize()
@SETTINGS
def test_none_mode(case: Any, none_target: Target) -> None:
    _call(case, none_target)


@API.parametrize()
@SETTINGS
def test_simple_key_mode(case: Any, private_stacks: Private) -> None:
    _call(case, private_stacks.simple_key)


@API.parametrize()
@SETTINGS
def test_managed_mode(case: Any, private_stacks: Private) -> None:
    _call(case, private_stacks.managed, private_stacks.managed_login)


@pytest.mark.parametrize("mode", ["none", "simple-key", "managed"])
def test_served_document_is_the_one_checked(
    mode: str, none_target: Target, private_stacks: Private
) -> None:
    target = {"none": none_target, "simple-key": private_stacks.simple_key,
              "managed": private_stacks.managed}[mode]
    r = httpx.get(target.url + "/api/v1/openapi.json", timeout=10)
    assert r.status_code == 200 and r.json() == DOCUMENT
