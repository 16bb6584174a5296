"""What the refiner and the suggester may ask of the planner: an explicit interface, so they
depend on these three calls and not on a half-built planner passed around as closures."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from atlas_query.planner.plan import Plan


class Planning(Protocol):
    def plan_of(self, question: str) -> Plan:
        """The plan of ``question``; raises ``Declined`` or ``Ambiguous``."""
        ...

    def answerable(self, question: str) -> bool:
        """Whether ``question`` plans without a refusal or a clarifying question."""
        ...

    def now(self) -> datetime:
        """The planner's clock, in its timezone."""
        ...
