"""The plans file (PLANS.md): parsed, checked, and turned into a :class:`Catalog`.

Every problem is one :class:`PlansFileError` naming the file, the line, the place (a dotted
path such as ``plans.team.features.queries``) and the problem, so start-up stops with one
clear message. Without a file the catalog is the built-in ``self-hosted`` plan: every feature,
no limits.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from atlas_common.entitlements import FeatureType, Policy, Reset
from atlas_common.service import StartupError
from atlas_entitlements.plans_yaml import line_of, parse_yaml

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
SELF_HOSTED = "self-hosted"


class PlansFileError(StartupError):
    def __init__(self, path: str, problem: str, place: str = "", line: int | None = None):
        where = f" line {line}" if line else ""
        what = f" ({place})" if place else ""
        super().__init__(f"ATLAS_PLANS_FILE {path}{where}{what}: {problem}")


@dataclass(frozen=True)
class FeatureDef:
    id: str
    type: FeatureType
    reset: Reset = "none"
    unit: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class PlanEntry:
    """A feature in a plan: a boolean has no limit; others a limit or explicit unlimited."""

    limit: int | None = None
    unlimited: bool = False
    policy: Policy = "hard"


@dataclass(frozen=True)
class PlanDef:
    id: str
    default: bool = False
    description: str | None = None
    features: dict[str, PlanEntry] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    features: dict[str, FeatureDef]
    plans: dict[str, PlanDef]
    open: bool = False
    version: int = 0

    @property
    def default_plan(self) -> str | None:
        return next((p.id for p in self.plans.values() if p.default), None)

    def checksum(self) -> str:
        data = {"features": {k: asdict(v) for k, v in sorted(self.features.items())},
                "plans": {k: asdict(v) for k, v in sorted(self.plans.items())}}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def with_version(self, version: int) -> Catalog:
        return replace(self, version=version)


#: No plans file: every customer on ``self-hosted``, every feature, no limits.
BUILT_IN = Catalog(features={}, plans={SELF_HOSTED: PlanDef(SELF_HOSTED, default=True)}, open=True)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _FeatureIn(_Strict):
    type: FeatureType
    reset: Reset = "none"
    unit: str | None = None
    description: str | None = None


class _LimitIn(_Strict):
    limit: StrictInt | None = Field(None, ge=0)
    unlimited: StrictBool = False
    policy: Policy | None = None


class _PlanIn(_Strict):
    default: StrictBool = False
    description: str | None = None
    features: dict[str, Any] = Field(default_factory=dict)


class _FileIn(_Strict):
    features: dict[str, _FeatureIn] = Field(default_factory=dict)
    plans: dict[str, _PlanIn]


def load_plans_file(path: str) -> Catalog:
    """Read and check the plans file; PlansFileError on the first problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlansFileError(path, f"cannot read the file: {exc}") from None
    return parse_plans(text, path)


def parse_plans(text: str, path: str = "<plans>") -> Catalog:
    data, root = parse_yaml(text, path, PlansFileError)

    def fail(loc: tuple[str | int, ...], problem: str) -> PlansFileError:
        place = ".".join(str(p) for p in loc)
        return PlansFileError(path, problem, place, line_of(root, loc))

    if not isinstance(data, dict):
        raise fail((), "the file must be a mapping with 'features' and 'plans'")
    try:
        parsed = _FileIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        problem = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise fail(loc, problem) from None
    features = {fid: _feature(fid, f, fail) for fid, f in parsed.features.items()}
    plans = {pid: _plan(pid, p, features, fail) for pid, p in parsed.plans.items()}
    _check_plans(plans, fail)
    return Catalog(features=features, plans=plans)



def _feature(fid: str, f: _FeatureIn, fail: Any) -> FeatureDef:
    if not ID_PATTERN.match(fid):
        raise fail(("features", fid), "a feature id is lowercase letters, digits, . _ -")
    if f.type != "metered" and f.reset != "none":
        raise fail(("features", fid, "reset"), f"only a metered feature resets ({fid} is {f.type})")
    return FeatureDef(fid, f.type, f.reset, f.unit, f.description)


def _plan(pid: str, p: _PlanIn, features: dict[str, FeatureDef], fail: Any) -> PlanDef:
    if not ID_PATTERN.match(pid):
        raise fail(("plans", pid), "a plan id is lowercase letters, digits, . _ -")
    entries: dict[str, PlanEntry] = {}
    for fid, value in p.features.items():
        loc = ("plans", pid, "features", fid)
        feature = features.get(fid)
        if feature is None:
            raise fail(loc, f"unknown feature {fid!r}: declare it under 'features'")
        entry = _entry(feature, value, loc, fail)
        if entry is not None:
            entries[fid] = entry
    return PlanDef(pid, p.default, p.description, entries)


def _entry(feature: FeatureDef, value: Any, loc: tuple[str, ...], fail: Any) -> PlanEntry | None:
    if value is False:
        return None  # listed as not included
    if feature.type == "boolean":
        if value is True:
            return PlanEntry()
        raise fail(loc, f"{feature.id} is a boolean feature: write true or false")
    if not isinstance(value, dict):
        raise fail(loc, f"{feature.id} is {feature.type}: write {{limit: N}} or "
                        "{unlimited: true} (a limit is never implied)")
    try:
        spec = _LimitIn.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        problem = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise fail(loc + tuple(str(p) for p in first["loc"]), problem) from None
    if (spec.limit is None) == (not spec.unlimited):
        raise fail(loc, "give exactly one of limit: N or unlimited: true")
    if spec.unlimited and spec.policy is not None:
        raise fail((*loc, "policy"), "a policy applies to a limit, not to unlimited")
    return PlanEntry(spec.limit, spec.unlimited, spec.policy or "hard")


def _check_plans(plans: dict[str, PlanDef], fail: Any) -> None:
    if not plans:
        raise fail(("plans",), "at least one plan is needed")
    defaults = [p.id for p in plans.values() if p.default]
    if len(defaults) > 1:
        raise fail(("plans", defaults[1], "default"),
                   f"only one plan can be the default ({', '.join(defaults)} are)")
