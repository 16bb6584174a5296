"""Bodies of the internal API (snake_case: callers are Atlas services and operators' tools).

Unknown fields are refused (a typo in an operator's call must not pass silently); every value
is bounded, so bad input is a 422 ``validation_error`` naming the field.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from atlas_common.entitlements import Policy
from atlas_entitlements.errors import InvalidOverride
from atlas_entitlements.plans import Catalog
from atlas_entitlements.repository import OverrideRow

MAX_AMOUNT = 10**12


def _not_reserved(value: str) -> str:
    if value == "*":
        raise ValueError("'*' is reserved (it means every customer in events)")
    return value


#: A workspace id: any printable text (a JWT organisation claim included), not ``*``.
CustomerId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"),
    AfterValidator(_not_reserved),
]
FeatureId = Annotated[str, StringConstraints(min_length=1, max_length=63,
                                             pattern=r"^[a-z0-9][a-z0-9._-]*$")]
IdempotencyKey = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                                  pattern=r"^[\x21-\x7e]+$")]
Amount = Annotated[int, Field(strict=True, ge=1, le=MAX_AMOUNT)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckBody(Body):
    customer_id: CustomerId
    feature: FeatureId
    requested: Annotated[int, Field(strict=True, ge=0, le=MAX_AMOUNT)] = 1
    used: Annotated[int | None, Field(strict=True, ge=0, le=MAX_AMOUNT)] = Field(
        None, description="A gauge's current value, computed by the caller's limit provider.")


class ConsumeBody(Body):
    customer_id: CustomerId
    feature: FeatureId
    amount: Amount = 1
    idempotency_key: IdempotencyKey


class RefundBody(Body):
    idempotency_key: IdempotencyKey


class SubscriptionBody(Body):
    plan: FeatureId


class OverrideBody(Body):
    feature: FeatureId
    kind: Literal["grant", "top_up"]
    included: bool = True
    limit: Annotated[int | None, Field(strict=True, ge=0, le=MAX_AMOUNT)] = None
    unlimited: bool = False
    policy: Policy | None = None
    amount: Amount | None = None
    expires_at: datetime | None = None
    expires_in: Annotated[int | None, Field(strict=True, ge=1, le=10 * 365 * 86400)] = None
    note: Annotated[str | None, StringConstraints(max_length=500)] = None

    @model_validator(mode="after")
    def _consistent(self) -> OverrideBody:
        if self.expires_at is not None and self.expires_in is not None:
            raise ValueError("give expires_at or expires_in, not both")
        if self.expires_at is not None and _aware(self.expires_at) <= datetime.now(UTC):
            raise ValueError("expires_at is in the past")
        if self.kind == "top_up":
            if self.amount is None:
                raise ValueError("a top_up needs an amount")
            if self.limit is not None or self.unlimited or self.policy or not self.included:
                raise ValueError("a top_up has an amount only (no limit, unlimited, policy)")
        elif self.amount is not None:
            raise ValueError("a grant has no amount (a top_up has)")
        if self.limit is not None and self.unlimited:
            raise ValueError("give a limit or unlimited: true, not both")
        return self

    def stored_values(self, feature_type: str, expires_at: datetime | None) -> dict[str, Any]:
        if self.kind == "grant" and self.included and feature_type != "boolean" and (
            self.limit is None and not self.unlimited
        ):
            raise InvalidOverride("a grant of a limited feature needs a limit or unlimited: true")
        if feature_type == "boolean" and (self.kind == "top_up" or self.limit is not None
                                          or self.unlimited):
            raise InvalidOverride("a boolean feature is granted with included only")
        return {**self.model_dump(exclude={"expires_in", "expires_at"}), "expires_at": expires_at}


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class SubscriptionOut(BaseModel):
    customer_id: str
    plan: str | None
    subscribed: bool
    version: int


class OverrideOut(BaseModel):
    id: int
    customer_id: str
    feature: str
    kind: str
    included: bool
    limit: int | None
    unlimited: bool
    policy: str | None
    amount: int | None
    note: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool
    version: int | None = None

    @classmethod
    def of(cls, row: OverrideRow, now: datetime, version: int | None = None) -> OverrideOut:
        active = row.revoked_at is None and (row.expires_at is None or row.expires_at > now)
        return cls(id=row.id, customer_id=row.customer_id, feature=row.feature_id,
                   kind=row.kind, included=row.included, limit=row.limit,
                   unlimited=row.unlimited, policy=row.policy, amount=row.amount,
                   note=row.note, created_at=row.created_at, expires_at=row.expires_at,
                   revoked_at=row.revoked_at, active=active, version=version)


class OverrideList(BaseModel):
    overrides: list[OverrideOut]


class CatalogOut(BaseModel):
    open: bool
    version: int
    default_plan: str | None
    features: dict[str, dict[str, Any]]
    plans: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogOut:
        return cls(open=catalog.open, version=catalog.version,
                   default_plan=catalog.default_plan,
                   features={k: asdict(v) for k, v in catalog.features.items()},
                   plans={k: asdict(v) for k, v in catalog.plans.items()})
