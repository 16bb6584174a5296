"""What a refusal looks like: the guard layer that refused, and why."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Layer = Literal[
    "empty", "statements", "parse", "readonly", "functions", "whitelist", "rls", "limit"
]


class GuardError(BaseModel):
    model_config = ConfigDict(frozen=True)

    layer: Layer
    message: str


class Refusal(Exception):
    """Raised by a layer; :class:`~atlas_query.guard.guard.SqlGuard` turns it into a result."""

    def __init__(self, layer: Layer, message: str) -> None:
        super().__init__(message)
        self.error = GuardError(layer=layer, message=message)
