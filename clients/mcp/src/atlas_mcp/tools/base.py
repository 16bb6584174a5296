"""What a tool is: a name, the words a model reads, its input and output models, and the
coroutine that does the work through the gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from atlas_mcp.gateway import Gateway

Progress = Callable[[float, str], Awaitable[None]]


async def no_progress(_step: float, _message: str) -> None:
    return None


@dataclass(frozen=True)
class Call:
    """One tool call: the gateway, the caller's own key, and where progress goes."""

    gateway: Gateway
    key: str
    progress: Progress = no_progress


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    input: type[BaseModel]
    output: type[BaseModel]
    run: Callable[[Call, Any], Awaitable[BaseModel]]
    #: False when the tool reads only the semantic layer (no datasource, no LLM).
    open_world: bool = True
