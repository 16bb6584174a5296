"""Run status and stop bodies of the upstream run routes (``RunStatusResponse``)."""

from __future__ import annotations

from typing import Literal

from atlas_common.wire import WireModel

RunStatusValue = Literal["running", "parked", "done", "failed", "none"]


class RunStatusResponse(WireModel):
    """``runId`` and ``parkedReason`` are absent when ``status`` is ``none``."""

    status: RunStatusValue
    run_id: str | None = None
    parked_reason: str | None = None


class StopRunResponse(WireModel):
    stopped: Literal[True] = True
