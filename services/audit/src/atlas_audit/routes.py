"""Thin routes of ``/api/v1/admin/audit`` (relayed path-preserving by the gateway)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from atlas_audit.deps import AdminDep, ServiceDep
from atlas_audit.filters import AuditFilter, checked_action, checked_name, parse_instant
from atlas_common.errors import ValidationFailed
from atlas_common.messages import Outcome
from atlas_common.principal import Principal
from atlas_common.surface import SurfaceName
from atlas_common.wire.audit import AuditLogResponse, AuditStats

public = APIRouter(prefix="/api/v1/admin/audit", tags=["Audit"])
_Text = Annotated[str | None, Query(max_length=200)]


def audit_filter(caller: Principal, user: _Text = None, surface: SurfaceName | None = None,
                 outcome: Outcome | None = None, success: bool | None = None,
                 kind: Literal["question", "change"] | None = None, action: _Text = None,
                 table: _Text = None, from_: _Text = None, to: _Text = None,
                 q: _Text = None) -> AuditFilter:
    since = parse_instant("from", from_)
    until = parse_instant("to", to, end=True)
    if since is not None and until is not None and since >= until:
        raise ValidationFailed("from", "must be before `to`")
    return AuditFilter(
        caller.workspace_id, user=checked_name("user", user), surface=surface, outcome=outcome,
        success=success, kind=kind, action=checked_action(action),
        table=checked_name("table", table), since=since, until=until, q=q or None)


@public.get("")
async def list_audit(caller: AdminDep, service: ServiceDep,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50,
                     offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
                     cursor: Annotated[str | None, Query(max_length=500)] = None,
                     user: _Text = None, surface: SurfaceName | None = None,
                     outcome: Outcome | None = None, success: bool | None = None,
                     kind: Literal["question", "change"] | None = None, action: _Text = None,
                     table: _Text = None, from_: Annotated[str | None, Query(
                         alias="from", max_length=40)] = None,
                     to: Annotated[str | None, Query(max_length=40)] = None,
                     q: _Text = None) -> AuditLogResponse:
    where = audit_filter(caller, user, surface, outcome, success, kind, action, table, from_,
                         to, q)
    return await service.page(where, limit, offset, cursor)


@public.get("/stats")
async def audit_stats(caller: AdminDep, service: ServiceDep,
                      from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
                      to: Annotated[str | None, Query(max_length=40)] = None) -> AuditStats:
    return await service.stats(audit_filter(caller, from_=from_, to=to))


@public.get("/export")
async def export_audit(caller: AdminDep, service: ServiceDep,
                       user: _Text = None, surface: SurfaceName | None = None,
                       outcome: Outcome | None = None, success: bool | None = None,
                       kind: Literal["question", "change"] | None = None,
                       action: _Text = None, table: _Text = None,
                       from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
                       to: Annotated[str | None, Query(max_length=40)] = None,
                       q: _Text = None) -> StreamingResponse:
    where = audit_filter(caller, user, surface, outcome, success, kind, action, table, from_,
                         to, q)
    today = datetime.now(UTC).date().isoformat()
    headers = {"Content-Disposition": f'attachment; filename="atlas-audit-{today}.csv"'}
    if await service.export_truncated(where):
        headers["x-atlas-truncated"] = "true"
    return StreamingResponse(service.export_csv(where), media_type="text/csv; charset=utf-8",
                             headers=headers)
