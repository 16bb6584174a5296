"""The gateway's OpenAPI document, as clients generate types from it (openapi-typescript).

The document says what the gateway really answers, and schemathesis holds it to that in
``make test`` (tests/e2e/test_openapi_schemathesis.py, docs/api.md):

- every error is the Atlas envelope (FastAPI's ``HTTPValidationError`` is never sent);
- the statuses every route can answer whatever it does (:func:`_common_errors`): 401 / 403 /
  429 / 503 from authentication, the role table and the rate limit; 400 / 413 / 422 for a body;
- how to authenticate (``securitySchemes``), and which routes need no credential;
- the auth service's routes the gateway relays (:mod:`atlas_gateway.openapi_auth`).
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from atlas_common.wire.conversations import CONVERSATION_ID_PATTERN
from atlas_common.wire.errors import ErrorEnvelope, error_responses
from atlas_gateway.auth.roles import PUBLIC, required_role
from atlas_gateway.openapi_auth import AUTH_PATHS, OPTIONAL_AUTH

_FASTAPI_422 = "#/components/schemas/HTTPValidationError"
_ENVELOPE = "#/components/schemas/ErrorEnvelope"
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "An API key, a session token or a JWT, by auth mode."},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "atlas.session_token",
                      "description": "Unsafe methods also need a matching `Origin`."},
}
_ANY_CREDENTIAL: list[dict[str, list[str]]] = [{name: []} for name in SECURITY_SCHEMES]
#: Answered by the gateway itself, never relayed: no 503 from a service behind it.
_LOCAL = frozenset({"/healthz", "/api/health"})


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra=`` for a relayed route: the JSON body it takes (the relay reads none, so
    FastAPI cannot document it)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def query_parameters(**schemas: dict[str, Any]) -> list[dict[str, Any]]:
    """Optional query parameters of a relayed route, documented (the service behind checks
    them)."""
    return [{"name": name.rstrip("_"), "in": "query", "required": False, "schema": schema}
            for name, schema in schemas.items()]


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema["paths"].update(copy.deepcopy(AUTH_PATHS))
            app.openapi_schema = _true_document(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _true_document(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            _security(operation, method.upper(), path)
            _common_errors(operation, path)
            _conversation_id_pattern(operation)
    return _envelope_everywhere(schema)


def _security(operation: dict[str, Any], method: str, path: str) -> None:
    if path in OPTIONAL_AUTH:
        operation["security"] = [{}, *_ANY_CREDENTIAL]
    elif "security" not in operation:
        public = required_role(method, path) is PUBLIC or path.startswith("/api/auth/sign-")
        operation["security"] = [] if public else _ANY_CREDENTIAL


def _common_errors(operation: dict[str, Any], path: str) -> None:
    """What any route can answer before or around its own work."""
    statuses: list[int] = []
    if operation["security"]:
        statuses += [401, 403, 429, 503]  # credential, role table, rate limit, auth service down
    if "requestBody" in operation:
        statuses += [400, 413, 422]  # malformed JSON, too large, fails the schema
    if operation.get("parameters"):
        statuses += [422]
    if path not in _LOCAL:
        statuses += [503]  # the service that answers it is unreachable
    responses = operation.setdefault("responses", {})
    for status, response in error_responses(*statuses).items():
        responses.setdefault(str(status), response)


def _conversation_id_pattern(operation: dict[str, Any]) -> None:
    """``{conversation_id}`` is checked before routing (400 ``invalid_request``)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter["name"] == "conversation_id":
            parameter["schema"]["pattern"] = CONVERSATION_ID_PATTERN
            operation["responses"].setdefault("400", error_responses(400)[400])


def _envelope_everywhere(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "ErrorEnvelope", ErrorEnvelope.model_json_schema(by_alias=True, ref_template=_ENVELOPE)
    )
    for operation in (op for path in schema.get("paths", {}).values() for op in path.values()):
        for status, response in operation.get("responses", {}).items():
            if "model" in response:  # error_responses() added after FastAPI's own pass
                del response["model"]
                response["content"] = {"application/json": {"schema": {"$ref": _ENVELOPE}}}
            body = response.get("content", {}).get("application/json", {})
            if body.get("schema", {}).get("$ref") == _FASTAPI_422 or (
                status.startswith(("4", "5")) and status != "503" and not body.get("schema")
                and "application/json" in response.get("content", {})
            ):
                body["schema"] = {"$ref": _ENVELOPE}
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema
