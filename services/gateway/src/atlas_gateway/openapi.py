"""The gateway's OpenAPI document, as clients generate types from it (openapi-typescript).

FastAPI documents every 422 with its own ``HTTPValidationError`` body, which no client ever
receives: the error handlers answer with the Atlas envelope. The document says so instead.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from atlas_common.wire.errors import ErrorEnvelope

_FASTAPI_422 = "#/components/schemas/HTTPValidationError"
_ENVELOPE = "#/components/schemas/ErrorEnvelope"


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = _envelope_everywhere(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _envelope_everywhere(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "ErrorEnvelope", ErrorEnvelope.model_json_schema(by_alias=True, ref_template=_ENVELOPE)
    )
    for operation in (op for path in schema.get("paths", {}).values() for op in path.values()):
        for response in operation.get("responses", {}).values():
            body = response.get("content", {}).get("application/json", {})
            if body.get("schema", {}).get("$ref") == _FASTAPI_422:
                body["schema"] = {"$ref": _ENVELOPE}
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema
