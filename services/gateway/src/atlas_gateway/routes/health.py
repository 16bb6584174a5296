"""Health: ``/api/health`` (every dependency) and ``/healthz`` (the process is up)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from atlas_gateway.deps import State
from atlas_gateway.service.health import health_report

router = APIRouter(tags=["Health"])


@router.get(
    "/api/health",
    summary="Health of Atlas and its dependencies",
    responses={
        200: {"description": "`ok` or `degraded` (no worker, an optional check failing)"},
        503: {"description": "`error`: RabbitMQ, Redis or the internal database is down "
                           "(the same body)", "content": {"application/json": {}}},
    },
)
async def health(state: State) -> JSONResponse:
    body, status = health_report(state)  # from memory: a flood of calls does no I/O
    return JSONResponse(body, status_code=status)


@router.get("/healthz", summary="Liveness of this process")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
