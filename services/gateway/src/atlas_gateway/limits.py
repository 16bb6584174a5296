"""File descriptors: what the settings admit, the process's limit raised to match, and a clear
warning when it cannot be (issue 27).

Every open stream and every question in flight is a client socket; the pools (Redis, the
database, the relay's HTTP client, the broker) hold a few more. A soft ``RLIMIT_NOFILE`` below
that sum fails the stream past it with EMFILE in the middle of serving (the accept loop logs
"Too many open files" and clients see resets), long after start-up looked fine. So at start the
gateway raises its soft limit to the hard one (an unprivileged process may) and, if that is
still short, says so once, as one JSON log line naming the numbers and the settings to change.
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass

from atlas_common.redis_resilience import POOL_SIZE as REDIS_POOL
from atlas_gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

#: Pools besides the client sockets: Redis, the database (4), the relay's HTTP client
#: (httpx's 100), the entitlements client (50), the broker and the hub's subscription.
POOLS = REDIS_POOL + 4 + 100 + 50 + 4
#: The interpreter, its imports, logs, the event loop's own descriptors, the listen socket.
RESERVE = 64
#: Linux refuses a soft limit above fs.nr_open (1,048,576 by default) even when the hard limit
#: is unlimited.
UNLIMITED_CAP = 1 << 20


@dataclass(frozen=True)
class FdBudget:
    streams: int
    in_flight: int

    @property
    def needed(self) -> int:
        return self.streams + self.in_flight + POOLS + RESERVE


def budget(settings: GatewaySettings) -> FdBudget:
    return FdBudget(settings.max_open_streams, settings.max_in_flight)


def raise_soft_limit() -> int:
    """The soft RLIMIT_NOFILE, raised to the hard limit where the OS allows; the new soft."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = UNLIMITED_CAP if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError) as exc:
            log.info("file descriptor limit not raised: %s", exc, extra={"soft": soft})
    return soft


def check_fd_limit(soft: int, need: FdBudget) -> str | None:
    """The warning to give when ``soft`` is below what the settings admit, else None."""
    if soft == resource.RLIM_INFINITY or soft >= need.needed:
        return None
    return (
        f"file descriptor limit {soft} is below the {need.needed} the settings admit "
        f"(ATLAS_GATEWAY_MAX_OPEN_STREAMS={need.streams} + ATLAS_GATEWAY_MAX_IN_FLIGHT="
        f"{need.in_flight} + {POOLS} pooled + {RESERVE} reserve): raise the hard limit "
        "(ulimit -n, LimitNOFILE=, the container's nofile) or lower the caps"
    )


def apply_fd_limit(settings: GatewaySettings) -> None:
    """At start: raise the soft limit, then warn once if it is still short."""
    need = budget(settings)
    soft = raise_soft_limit()
    warning = check_fd_limit(soft, need)
    if warning is not None:
        log.warning(
            warning,
            extra={
                "fd_soft_limit": soft,
                "fd_needed": need.needed,
                "max_open_streams": need.streams,
                "max_in_flight": need.in_flight,
            },
        )
