"""Precedence: override -> plan -> default deny, for one customer and each feature.

The newest live grant replaces the plan's entry for its feature (a grant of ``included:
false`` takes a feature away). Live top-ups add their amounts to the limit; a top-up on a
feature the plan lacks gives exactly that much. Expired and revoked overrides are never read.
"""

from __future__ import annotations

from datetime import datetime

from atlas_common.entitlements import Grant, Limit, Snapshot, Source, period_bounds
from atlas_entitlements.plans import Catalog, FeatureDef, PlanEntry
from atlas_entitlements.repository import CustomerState, OverrideRow


def plan_of(catalog: Catalog, state: CustomerState) -> str | None:
    """The plan a customer is on: its subscription, else the default plan, else none."""
    if catalog.open:
        return next(iter(catalog.plans))
    return state.plan_id or catalog.default_plan


def grant_for(
    feature: FeatureDef,
    entry: PlanEntry | None,
    overrides: list[OverrideRow],
    used: int | None,
    now: datetime,
) -> Grant:
    mine = [o for o in overrides if o.feature_id == feature.id]
    grants = [o for o in mine if o.kind == "grant"]
    top_up = sum(o.amount or 0 for o in mine if o.kind == "top_up")
    included, limit, unlimited, policy = _base(entry, grants[-1] if grants else None)
    if top_up and feature.type != "boolean" and not unlimited:
        limit = (limit or 0) + top_up if included else top_up
        included = True
    metered = feature.type == "metered"
    return Grant(
        type=feature.type,
        reset=feature.reset,
        included=included,
        limit=limit if included and feature.type != "boolean" and not unlimited else None,
        unlimited=included and unlimited and feature.type != "boolean",
        policy=policy,
        used=(used or 0) if metered else None,
        reset_at=period_bounds(feature.reset, now)[1] if metered else None,
    )


def _base(
    entry: PlanEntry | None, grant: OverrideRow | None
) -> tuple[bool, int | None, bool, str]:
    if grant is not None:
        return grant.included, grant.limit, grant.unlimited, grant.policy or "hard"
    if entry is not None:
        return True, entry.limit, entry.unlimited, entry.policy
    return False, None, False, "hard"


def periods_of(catalog: Catalog, now: datetime, only: str | None = None) -> dict[str, datetime]:
    """feature -> start of its current period, for every feature (or ``only``)."""
    features = catalog.features.values() if only is None else (
        [catalog.features[only]] if only in catalog.features else [])
    return {f.id: period_bounds(f.reset, now)[0] for f in features}


def snapshot_of(
    catalog: Catalog, customer_id: str, state: CustomerState, now: datetime
) -> Snapshot:
    plan_id = plan_of(catalog, state)
    plan = catalog.plans.get(plan_id) if plan_id else None
    features = {
        f.id: grant_for(f, plan.features.get(f.id) if plan else None, state.overrides,
                        state.used.get(f.id), now)
        for f in catalog.features.values()
    }
    expiries = [o.expires_at for o in state.overrides if o.expires_at is not None]
    return Snapshot(
        customer_id=customer_id,
        version=max(state.version, catalog.version),
        plan=plan_id,
        subscribed=state.plan_id is not None,
        open=catalog.open,
        features=features,
        expires_at=min(expiries) if expiries else None,
    )


def limit_of(snapshot: Snapshot, feature: str, source: Source = "service") -> Limit:
    return Limit.of(snapshot, feature, source)
