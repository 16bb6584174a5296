"""Entitlements: plans, features and limits, and the gate any service puts on a route.

The entitlements service (``services/entitlements``) owns plans, subscriptions, overrides and
usage. Every gating process holds one :class:`EntitlementsClient` (built in its lifespan, closed
at shutdown) and uses :func:`require_feature` / :func:`require_limit` as FastAPI dependencies,
or the client directly (``check``, ``consume``, ``refund``, ``limit``). Without
``ATLAS_PLANS_FILE`` everything is allowed locally and nothing is called.

Exceptions::

    AtlasError (atlas_common.errors)
    ├── FeatureNotInPlan          403 feature_not_in_plan  (+ feature, reason)
    ├── PlanLimitExceeded         429 plan_limit_exceeded  (+ feature, limit, used, reason,
    │                                                        retryAfterSeconds, Retry-After)
    ├── Unavailable
    │   └── EntitlementsUnavailable 503 unavailable        (+ feature, reason "fallback")
    └── EntitlementsCallError     the service refused a call as malformed
    Unreachable                   (not an AtlasError) ``refund`` could not reach the service
"""

from atlas_common.entitlements._cache import ALL_CUSTOMERS, SnapshotCache
from atlas_common.entitlements._client import EntitlementsClient, Unreachable
from atlas_common.entitlements._decide import Limit, local_allow
from atlas_common.entitlements._errors import (
    CALLER_ERROR_CODES,
    EntitlementsCallError,
    EntitlementsUnavailable,
    FeatureNotInPlan,
    PlanLimitExceeded,
    denial_text,
    error_for,
    is_refundable,
    raise_for,
)
from atlas_common.entitlements._gate import (
    client_of,
    request_principal,
    require_feature,
    require_limit,
)
from atlas_common.entitlements._models import (
    Decision,
    FeatureType,
    Grant,
    Policy,
    Reason,
    Refund,
    Reset,
    Snapshot,
    Source,
)
from atlas_common.entitlements._periods import EPOCH, period_bounds
from atlas_common.entitlements._providers import LimitProvider, LimitProviders
from atlas_common.entitlements._settings import EntitlementsSettings

__all__ = [
    "ALL_CUSTOMERS",
    "CALLER_ERROR_CODES",
    "EPOCH",
    "Decision",
    "EntitlementsCallError",
    "EntitlementsClient",
    "EntitlementsSettings",
    "EntitlementsUnavailable",
    "FeatureNotInPlan",
    "FeatureType",
    "Grant",
    "Limit",
    "LimitProvider",
    "LimitProviders",
    "PlanLimitExceeded",
    "Policy",
    "Reason",
    "Refund",
    "Reset",
    "Snapshot",
    "SnapshotCache",
    "Source",
    "Unreachable",
    "client_of",
    "denial_text",
    "error_for",
    "is_refundable",
    "local_allow",
    "period_bounds",
    "raise_for",
    "request_principal",
    "require_feature",
    "require_limit",
]
