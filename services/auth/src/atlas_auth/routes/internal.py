"""Internal endpoints for the gateway: the mode, and verification of one credential."""

from __future__ import annotations

from fastapi import APIRouter

from atlas_auth.credentials import from_verify_request
from atlas_auth.deps import StateDep
from atlas_auth.schemas import ModeResponse, VerifyRequest, VerifyResponse
from atlas_common.principal import ANONYMOUS

router = APIRouter(prefix="/internal/v1", tags=["internal"])


@router.get("/mode")
async def mode(state: StateDep) -> ModeResponse:
    return ModeResponse(mode=state.verifier.mode)


@router.post("/verify", response_model_by_alias=True)
async def verify(body: VerifyRequest, state: StateDep) -> VerifyResponse:
    """The caller's principal, and how long the gateway may cache it (never past expiry)."""
    verifier = state.verifier
    if verifier.mode == "none":
        return VerifyResponse(principal=ANONYMOUS, cache_ttl_seconds=verifier.cache_ttl(ANONYMOUS))
    principal = await verifier.verify(from_verify_request(body))
    return VerifyResponse(principal=principal, cache_ttl_seconds=verifier.cache_ttl(principal))
