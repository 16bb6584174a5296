"""Routes served by the keys service: ``/api/auth/api-key/*``, for the workspace's admins.

Included before the auth proxy, whose ``/api/auth/{path:path}`` would otherwise take them. The
role table asks for admin; the call is relayed with the verified principal (the keys service
checks the role again). A successful revoke drops the key's cached principal on this replica
before answering, so the very next request with that key is refused here; other replicas drop
it when ``key.revoked`` arrives.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from atlas_common.wire.errors import error_responses
from atlas_gateway.deps import CurrentPrincipal, State
from atlas_gateway.openapi import json_body
from atlas_gateway.proxy import METHODS, relay

router = APIRouter(tags=["API keys"])


_CREATE = json_body(
    {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "expiresIn": {
                "anyOf": [{"type": "integer", "minimum": 3600, "maximum": 31536000},
                          {"type": "null"}],
                "description": "Seconds; omit (or null) for a key that never expires",
            },
            "role": {
                "anyOf": [
                    {"type": "string", "enum": ["viewer", "analyst", "admin"]},
                    {"type": "null"},
                ],
                "description": "Default (or null) analyst; never above yours",
            },
            "claims": {
                "anyOf": [{"type": "object"}, {"type": "null"}],
                "description": "RLS claims you hold; default (or null): yours",
            },
        },
    }
)
_DELETE = json_body(
    {
        "type": "object",
        "required": ["keyId"],
        "properties": {"keyId": {"type": "string", "pattern": "^[0-9a-f]{16}$"}},
    }
)


async def _to_keys(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await relay(request, state, state.settings.keys_url, "keys", principal)


@router.get(
    "/api/auth/api-key/list",
    summary="API keys of your workspace, masked",
    responses={
        200: {
            "description": "`{apiKeys: [{id, name, start, prefix, createdAt, "
            "expiresAt, lastRequest, role, status}], total}`"
        }
    },
)
async def list_keys(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await _to_keys(request, state, principal)


@router.post(
    "/api/auth/api-key/create",
    summary="Create an API key (the whole key is in this answer only)",
    openapi_extra=_CREATE,
    responses={200: {"description": "The key's record plus `key`, shown once"}},
)
async def create_key(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    return await _to_keys(request, state, principal)


@router.post(
    "/api/auth/api-key/delete",
    summary="Revoke an API key, everywhere at once",
    openapi_extra=_DELETE,
    responses={
        200: {"description": "`{success: true}`, also when already revoked"},
        **error_responses(404),  # no such key in your workspace
    },
)
async def delete_key(request: Request, state: State, principal: CurrentPrincipal) -> Response:
    response = await _to_keys(request, state, principal)
    if response.status_code < 300:
        key_id = _key_id(await request.body())
        if key_id is not None:
            state.auth.cache.drop_id(f"cred:{key_id}")
    return response


@router.api_route("/api/auth/api-key/{path:path}", methods=METHODS, include_in_schema=False)
async def other_key_routes(
    path: str, request: Request, state: State, principal: CurrentPrincipal
) -> Response:
    """Anything else under the prefix is the keys service's to answer (404 / 405)."""
    return await _to_keys(request, state, principal)


def _key_id(body: bytes) -> str | None:
    try:
        value = json.loads(body).get("keyId")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
