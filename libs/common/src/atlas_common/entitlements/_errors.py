"""Denials as errors in the common envelope, and the text for people when a model is skipped.

Exceptions::

    AtlasError (atlas_common.errors)
    ├── FeatureNotInPlan          403 feature_not_in_plan  (+ feature, reason)
    ├── PlanLimitExceeded         429 plan_limit_exceeded  (+ feature, limit, used, reason,
    │                                                        retryAfterSeconds + Retry-After
    │                                                        when the feature resets)
    ├── Unavailable
    │   └── EntitlementsUnavailable 503 unavailable        (+ feature, reason "fallback")
    └── EntitlementsCallError     the service refused a call as malformed (a caller's bug)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from atlas_common.entitlements._models import Decision
from atlas_common.errors import AtlasError, ErrorCode, Unavailable
from atlas_common.metrics import denied

#: Error codes that are the caller's doing: an answer ending with one keeps its spent unit.
#: Typed as codes, so a misspelt or retired one fails the type check.
CALLER_ERROR_CODES: frozenset[ErrorCode] = frozenset(
    {
        "invalid_request",
        "validation_error",
        "payload_too_large",
        "not_found",
        "method_not_allowed",
        "auth_error",
        "session_expired",
        "forbidden",
        "forbidden_role",
        "rate_limited",
        "feature_not_in_plan",
        "plan_limit_exceeded",
    }
)

_MESSAGES = {
    "not_in_plan": "Your plan does not include {feature}",
    "no_subscription": "This workspace has no subscription that includes {feature}",
    "unknown_feature": "{feature} is not a feature of any plan",
    "no_limit_provider": "The limit of {feature} cannot be checked here, so it is refused",
    "fallback": "Plan limits cannot be checked right now",
}


class FeatureNotInPlan(AtlasError):
    status_code = 403
    code = "feature_not_in_plan"


class PlanLimitExceeded(AtlasError):
    status_code = 429
    code = "plan_limit_exceeded"


class EntitlementsUnavailable(Unavailable):
    pass


class EntitlementsCallError(AtlasError):
    """The entitlements service refused a call as malformed (a bug in the caller)."""


def is_refundable(error_code: str) -> bool:
    """An answer that ended with this error failed on Atlas's side: give the unit back."""
    return error_code not in CALLER_ERROR_CODES


def error_for(decision: Decision, *, retry_after_s: int = 5) -> AtlasError:
    """The envelope error of a denial (ARCHITECTURE.md, the Ask flow, step 2)."""
    feature, reason = decision.feature, decision.reason
    if reason == "limit_reached":
        return _limit_error(decision)
    if reason == "fallback":
        return EntitlementsUnavailable(
            _MESSAGES["fallback"],
            retry_after=retry_after_s,
            feature=feature,
            reason=reason,
        )
    message = _MESSAGES.get(reason, "Your plan does not include {feature}").format(feature=feature)
    return FeatureNotInPlan(message, feature=feature, reason=reason)


def raise_for(decision: Decision) -> Decision:
    """Raise the envelope error of a denial; return an allowed decision unchanged."""
    if not decision.allowed:
        denied(decision.feature)
        raise error_for(decision)
    return decision


def _limit_error(decision: Decision) -> PlanLimitExceeded:
    extra: dict[str, Any] = {
        "feature": decision.feature,
        "limit": decision.limit,
        "used": decision.used,
        "reason": decision.reason,
    }
    headers: dict[str, str] = {}
    retry = decision.retry_after_seconds()
    if retry is not None:
        extra["retryAfterSeconds"] = retry
        headers["Retry-After"] = str(retry)
    message = f"Plan limit reached for {decision.feature}: {decision.used} of {decision.limit}"
    if decision.reset_at is not None:
        message += f"; resets at {_when(decision.reset_at)}"
    return PlanLimitExceeded(message, headers=headers, **extra)


def denial_text(decision: Decision) -> str:
    """A sentence for people: why a feature was not used (the planner answers instead)."""
    if decision.reason == "limit_reached":
        text = f"this workspace has used its {decision.limit} {decision.feature}"
        if decision.reset_at is not None:
            text += f" until {_when(decision.reset_at)}"
        return text
    if decision.reason == "fallback":
        return "its plan limits cannot be checked right now"
    return (
        _MESSAGES.get(decision.reason, "not in the plan").format(feature=decision.feature).lower()
    )


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
