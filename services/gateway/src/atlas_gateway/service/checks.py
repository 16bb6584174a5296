"""The gateway's background checks: worker presence and /api/health's dependencies, each read
by one task of the app's state, so that no request waits on them (issue 27).

Both are read once before the app serves (the first question after ``make up`` sees the
workers that already consume; the first /api/health call has every check), then every
``ATLAS_WORKER_CHECK_INTERVAL_S`` and ``ATLAS_GATEWAY_HEALTH_INTERVAL_S``. Two tasks, not one:
a dependency slow to answer /api/health (query-api hung: 2 s) never delays presence.
"""

from __future__ import annotations

import asyncio
import functools

from atlas_gateway.refreshed import Refreshed
from atlas_gateway.service.health import read_checks
from atlas_gateway.state import GatewayState


async def start_background_checks(state: GatewayState) -> None:
    state.health = Refreshed(
        "health checks",
        functools.partial(read_checks, state),
        interval_s=state.settings.health_interval_s,
    )
    await asyncio.gather(state.presence.workers.refresh(), state.health.refresh())
    state.tasks.spawn(state.presence.workers.run())
    state.tasks.spawn(state.health.run())
