"""What a phrase of a question names in the layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RefKind = Literal["ambiguous", "metric", "measure", "entity", "value", "dimension"]
# When one phrase names several things, the more specific reading comes first.
PRIORITY: dict[str, int] = {"ambiguous": 6, "metric": 5, "measure": 4, "entity": 3, "value": 2,
                            "dimension": 1}
MEASURE_KINDS = frozenset(("metric", "measure"))


@dataclass(frozen=True)
class Ref:
    """A metric, measure, entity, dimension, sample value or ambiguous glossary term.
    ``entity`` owns measures, dimensions and values; ``value`` is the sample as written."""

    kind: RefKind
    name: str
    entity: str | None = None
    value: str | None = None

    @property
    def key(self) -> tuple[str, ...]:
        return (self.kind, self.entity or "", self.name)
