"""The entitlements service's errors, in the common envelope (see :mod:`atlas_common.errors`).

Exceptions::

    AtlasError (atlas_common)
    ├── UnknownPlan            422 validation_error  a plan the catalog does not have
    ├── UnknownFeature         422 validation_error  an override of a feature not in the catalog
    ├── InvalidOverride        422 validation_error  an override that does not fit its feature
    ├── NotConsumable          400 invalid_request   consume / refund of a non-metered feature
    ├── IdempotencyConflict    409 invalid_request   a key spent before on something else
    └── OverrideNotFound       404 not_found         no such override for this customer
    PlansFileError (plans.py)  start-up: the plans file is broken or drops a subscribed plan
"""

from __future__ import annotations

from atlas_common.errors import AtlasError, InvalidRequest, NotFound


def _field_error(field: str, message: str) -> AtlasError:
    return AtlasError(f"{field}: {message}", code="validation_error", status_code=422,
                      details=[{"field": field, "message": message}])


class UnknownPlan(AtlasError):
    def __init__(self, plan: str) -> None:
        err = _field_error("plan", f"no plan {plan!r} in the plans file")
        super().__init__(err.message, code=err.code, status_code=err.status_code, **err.extra)


class UnknownFeature(AtlasError):
    def __init__(self, feature: str) -> None:
        err = _field_error("feature", f"no feature {feature!r} in the plans file")
        super().__init__(err.message, code=err.code, status_code=err.status_code, **err.extra)


class InvalidOverride(AtlasError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="validation_error", status_code=422,
                         details=[{"field": "", "message": message}])


class NotConsumable(InvalidRequest):
    def __init__(self, feature: str, kind: str) -> None:
        super().__init__(f"{feature} is a {kind} feature: only metered features are consumed")


class IdempotencyConflict(InvalidRequest):
    status_code = 409

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was spent on another customer or feature")


class OverrideNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such override for this customer")
