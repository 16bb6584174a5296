"""Clients the gateway builds once in its lifespan, typed, and reached through ``deps``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
from redis.asyncio import Redis

from atlas_common.bus import Bus
from atlas_common.entitlements import EntitlementsClient
from atlas_common.stream import StreamHub
from atlas_common.tasks import BackgroundTasks
from atlas_gateway.admission import Admission
from atlas_gateway.auth.authenticator import Authenticator
from atlas_gateway.auth.rate_limit import RateLimiter
from atlas_gateway.presence import Presence
from atlas_gateway.refreshed import Refreshed
from atlas_gateway.relay_cache import RelayCache
from atlas_gateway.settings import GatewaySettings
from atlas_gateway.widget_files import WidgetFiles


@dataclass
class GatewayState:
    settings: GatewaySettings
    bus: Bus
    redis: Redis
    hub: StreamHub
    db: asyncpg.Pool
    http: httpx.AsyncClient
    auth: Authenticator
    limiter: RateLimiter
    #: The plan gate (no plans file: allows locally, calls nothing).
    entitlements: EntitlementsClient
    #: The widget's and chat page's built files (routes.widget).
    widget: WidgetFiles
    #: Tasks started while serving (abandon watchers): cancelled on shutdown.
    tasks: BackgroundTasks = field(default_factory=BackgroundTasks)
    #: Questions in flight here, their cap and drain rate (admission.py, issue 22).
    admission: Admission = field(init=False)
    #: query-api's read-mostly answers (tables, starter prompts), a few seconds (issue 23).
    relay_cache: RelayCache = field(init=False)
    #: Which workers can take a job, read in the background (presence.py, issue 27).
    presence: Presence = field(init=False)
    #: /api/health's other checks, read in the background (service/checks.py starts it).
    health: Refreshed[dict[str, dict[str, Any]]] = field(init=False)

    def __post_init__(self) -> None:
        self.admission = Admission(self.settings.max_in_flight, self.settings.max_open_streams)
        self.relay_cache = RelayCache(self.settings.relay_cache_ttl_s)
        self.presence = Presence(self.bus, self.redis, self.settings)
