"""Starter prompts (``GET /api/v1/starter-prompts``), as upstream ``StarterPromptsResponse``."""

from __future__ import annotations

from typing import Literal

from atlas_common.wire import WireModel

Provenance = Literal["favorite", "popular", "library", "cold-start"]
DEFAULT_LIMIT = 6
MAX_LIMIT = 50


class StarterPrompt(WireModel):
    id: str
    text: str
    provenance: Provenance


class StarterPromptsResponse(WireModel):
    prompts: list[StarterPrompt]
    total: int


def clamp_limit(limit: int | None) -> int:
    """Upstream clamps rather than refuses: 1..50, default 6."""
    return DEFAULT_LIMIT if limit is None else max(1, min(MAX_LIMIT, limit))
