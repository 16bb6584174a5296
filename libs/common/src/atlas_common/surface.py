"""Where a conversation was started: the surface values of Atlas's own wire.

``chat`` was ours before issue 15 (the AI SDK chat stream); upstream calls that surface ``web``,
so old messages and rows saying ``chat`` are read as ``web``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator

SurfaceName = Literal["web", "api", "mcp", "slack", "scheduled"]
SURFACES: tuple[str, ...] = get_args(SurfaceName)
_LEGACY = {"chat": "web"}


def normalize_surface(value: Any) -> Any:
    """``chat`` -> ``web``; anything else is left for the Literal to accept or refuse."""
    return _LEGACY.get(value, value) if isinstance(value, str) else value


Surface = Annotated[SurfaceName, BeforeValidator(normalize_surface)]
