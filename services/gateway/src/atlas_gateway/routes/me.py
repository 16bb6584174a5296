"""``GET /api/v1/me``: who the gateway takes the caller to be (any authenticated principal)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from atlas_gateway.deps import CurrentPrincipal

router = APIRouter(tags=["Auth"])


@router.get("/api/v1/me", summary="The authenticated caller: user, workspace, role, auth mode")
async def me(principal: CurrentPrincipal) -> dict[str, Any]:
    return {
        "userId": principal.user_id,
        "workspaceId": principal.workspace_id,
        "role": principal.role,
        "authMode": principal.auth_mode,
        "expiresAt": principal.expires_at.isoformat() if principal.expires_at else None,
    }
