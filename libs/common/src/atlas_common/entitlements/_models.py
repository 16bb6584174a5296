"""What entitlements say on the wire between services (snake_case: internal).

A :class:`Snapshot` is everything one customer has: each feature of the catalog resolved
(override -> plan -> default deny) into a :class:`Grant`. A :class:`Decision` answers one
question about one feature.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FeatureType = Literal["boolean", "metered", "gauge"]
Reset = Literal["none", "day", "week", "month"]
Policy = Literal["hard", "soft"]
Reason = Literal[
    "ok",
    "not_in_plan",
    "no_subscription",
    "limit_reached",
    "unknown_feature",
    "no_limit_provider",
    "fallback",
]
#: Where a decision came from: no plans file (local), the process's cache, the service, a
#: last-known-good snapshot while the service is unreachable (stale), or the fallback.
Source = Literal["local", "cache", "service", "stale", "fallback"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Grant(_Frozen):
    """One feature as one customer has it, after override -> plan -> default deny."""

    type: FeatureType
    reset: Reset = "none"
    included: bool = False
    limit: int | None = None
    unlimited: bool = False
    policy: Policy = "hard"
    used: int | None = Field(None, description="Metered: used this period when read.")
    reset_at: datetime | None = Field(None, description="Metered: when the period ends.")

    @property
    def limited(self) -> bool:
        return self.included and self.type != "boolean" and not self.unlimited

    @property
    def hard_consumable(self) -> bool:
        """Never decided from a cache: its counter moves with every spend."""
        return self.limited and self.type == "metered" and self.policy == "hard"


class Snapshot(_Frozen):
    customer_id: str
    version: int
    plan: str | None = None
    subscribed: bool = False
    open: bool = Field(False, description="The built-in self-hosted plan: every feature.")
    features: dict[str, Grant] = Field(default_factory=dict)
    expires_at: datetime | None = Field(
        None, description="The earliest expiry of an override: not valid past it."
    )


class Decision(_Frozen):
    allowed: bool
    reason: Reason
    feature: str
    limit: int | None = None
    used: int | None = None
    remaining: int | None = None
    unlimited: bool = False
    reset_at: datetime | None = None
    version: int = 0
    over_limit: bool = Field(False, description="A soft limit was passed: allowed, flagged.")
    replayed: bool = Field(False, description="consume: this idempotency key was spent before.")
    source: Source = "service"

    def retry_after_seconds(self, now: datetime | None = None) -> int | None:
        """Seconds until the limit resets (at least 1); None when it never resets."""
        if self.reset_at is None:
            return None
        left = (self.reset_at - (now or datetime.now(UTC))).total_seconds()
        return max(1, math.ceil(left))


class Refund(_Frozen):
    refunded: bool
    idempotency_key: str
    customer_id: str | None = None
    feature: str | None = None
    amount: int = 0
