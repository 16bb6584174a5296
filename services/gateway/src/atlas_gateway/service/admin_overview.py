"""The admin overview and the plan, composed by the gateway from the services that own each
part: the audit service (questions of the last 30 days), query-api (the semantic layer and the
datasource) and entitlements (the plan). The parts are read at the same time; a part that
cannot be read is null and the overview says ``partial``, it never fails as a whole.

A computed limit (a gauge such as ``api-keys``) has no ``used`` in the entitlements snapshot:
the gate asks the service that owns what it counts. The plan asks that service too (its
``/internal/v1/limits/{feature}``, the gate's own limit provider); a count that cannot be read
leaves ``used`` null, and the plan is answered all the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from atlas_common.entitlements import EntitlementsCallError, Grant, Unreachable
from atlas_common.errors import Unavailable
from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_common.wire.admin import (
    AdminOverview,
    ConnectionsResponse,
    LimitCount,
    OverviewQuestions,
    PlanFeature,
    PlanResponse,
    SemanticStats,
)
from atlas_common.wire.audit import AuditStats
from atlas_common.wire.semantic import GlossaryResponse, MetricsResponse
from atlas_gateway.settings import GatewaySettings
from atlas_gateway.state import GatewayState

log = logging.getLogger("atlas_gateway.admin")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
#: Each part's own bound: a slow service makes its part null, not the overview slow.
PART_TIMEOUT_S = 5.0
_SEMANTIC = "/api/v1/admin/semantic"
#: Under the plan part's own bound: a slow count leaves its ``used`` null, not the plan.
COUNT_TIMEOUT_S = 2.0
#: Who counts each computed limit: the base URL of the service whose limit provider the gate
#: uses (services/keys main.py registers ``api-keys``).
COUNTED_BY: Final[dict[str, Callable[[GatewaySettings], str]]] = {
    "api-keys": lambda settings: settings.keys_url,
}


async def plan_body(state: GatewayState, principal: Principal) -> PlanResponse:
    """The caller's workspace as entitlements sees it, with the computed limits' counts; no
    plans file: everything, no limit."""
    workspace_id = principal.workspace_id
    entitlements = state.entitlements
    if not entitlements.enabled:
        return PlanResponse(workspace_id=workspace_id, plan=None, features=[], unlimited=True)
    try:
        snapshot = await entitlements.snapshot(workspace_id)
    except (Unreachable, EntitlementsCallError) as exc:
        raise Unavailable("The entitlements service is unreachable", retry_after=2) from exc
    counts = await _counts(state, principal, snapshot.features)
    features = [_feature(key, grant, counts.get(key))
                for key, grant in sorted(snapshot.features.items())]
    return PlanResponse(workspace_id=workspace_id, plan=snapshot.plan, features=features,
                        unlimited=snapshot.open)


def _feature(key: str, grant: Grant, counted: int | None = None) -> PlanFeature:
    return PlanFeature(
        key=key,
        kind="boolean" if grant.type == "boolean" else "metered",
        enabled=grant.included,
        limit=None if grant.unlimited else grant.limit,
        used=grant.used if grant.used is not None else counted,
        resets_at=grant.reset_at.isoformat() if grant.reset_at else None,
    )


async def _counts(state: GatewayState, principal: Principal,
                  grants: dict[str, Grant]) -> dict[str, int | None]:
    """The included computed limits' counts, read at the same time from their owners."""
    asked = [key for key, grant in grants.items()
             if grant.type == "gauge" and grant.included and grant.used is None
             and key in COUNTED_BY]
    values = await asyncio.gather(*(_count(state, principal, key) for key in asked))
    return dict(zip(asked, values, strict=True))


async def _count(state: GatewayState, principal: Principal, feature: str) -> int | None:
    """The owner's count for the caller's workspace; None when it cannot be read."""
    path = f"/internal/v1/limits/{quote(feature, safe='')}"
    try:
        async with asyncio.timeout(COUNT_TIMEOUT_S):
            count = await read_internal(state, principal, COUNTED_BY[feature](state.settings),
                                        path, LimitCount)
        return count.used
    except (httpx.HTTPError, ValidationError, TimeoutError) as exc:
        log.warning("plan: the count of %s unavailable: %s", feature, type(exc).__name__)
        return None


class Overview:
    def __init__(self, state: GatewayState, principal: Principal) -> None:
        self.state = state
        self.principal = principal

    async def compose(self) -> AdminOverview:
        parts = await asyncio.gather(
            self._part("questions", self._questions()),
            self._part("semantic stats", self._get(_SEMANTIC + "/stats", SemanticStats)),
            self._part("metrics", self._get(_SEMANTIC + "/metrics", MetricsResponse)),
            self._part("glossary", self._get(_SEMANTIC + "/glossary", GlossaryResponse)),
            self._part("connections",
                       self._get("/api/v1/admin/connections", ConnectionsResponse)),
            self._part("plan", plan_body(self.state, self.principal)),
        )
        questions, stats, metrics, glossary, connections, plan = parts
        return AdminOverview(
            connections=len(connections.connections) if connections else None,
            entities=stats.total_entities if stats else None,
            metrics=sum(len(f.data.get("metrics") or []) for f in metrics.metrics)
            if metrics else None,
            glossary_terms=len(glossary.glossary) if glossary else None,
            questions=questions,
            plan=plan,
            partial=any(part is None for part in parts),
        )

    async def _part(self, name: str, work: Awaitable[T]) -> T | None:
        try:
            async with asyncio.timeout(PART_TIMEOUT_S):
                return await work
        except Exception as exc:  # any failure of a part is that part's null
            log.warning("admin overview: %s unavailable: %s", name, type(exc).__name__)
            return None

    async def _questions(self) -> OverviewQuestions:
        stats = await self._read(self.state.settings.audit_url, "/api/v1/admin/audit/stats",
                                 AuditStats)
        return OverviewQuestions(
            total=stats.total_queries,
            error_rate=stats.error_rate,
            p95_duration_ms=stats.p95_duration_ms,
            active_users=stats.active_users,
            per_day=stats.queries_per_day,
            top_questions=stats.top_questions,
        )

    async def _get(self, path: str, model: type[M]) -> M:
        return await self._read(self.state.settings.query_api_url, path, model)

    async def _read(self, base_url: str, path: str, model: type[M]) -> M:
        return await read_internal(self.state, self.principal, base_url, path, model)


async def read_internal(state: GatewayState, principal: Principal, base_url: str, path: str,
                        model: type[M]) -> M:
    """An internal service's JSON answer to ``GET path``, asked as the caller, as ``model``."""
    headers = internal_headers(state.settings.internal_token, principal)
    response = await state.http.get(base_url.rstrip("/") + path, headers=headers)
    response.raise_for_status()
    return model.model_validate_json(response.content)
