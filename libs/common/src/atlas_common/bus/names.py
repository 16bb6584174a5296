"""Every exchange, queue and routing key of the Atlas bus, in one place.

Grep a name here to find its publisher and its consumer.
"""

from typing import Final

JOBS_EXCHANGE: Final = "atlas.jobs"
JOBS_DLX: Final = "atlas.jobs.dead"
EVENTS_EXCHANGE: Final = "atlas.events"

QUERY_REQUESTED: Final = "query.requested"
QUERY_REQUESTED_DEAD: Final = "query.requested.dead"

KEY_CREATED: Final = "key.created"
KEY_REVOKED: Final = "key.revoked"
SESSION_REVOKED: Final = "session.revoked"
USER_ROLE_CHANGED: Final = "user.role_changed"
USER_DEACTIVATED: Final = "user.deactivated"
SUBSCRIPTION_CHANGED: Final = "subscription.changed"
USAGE_RECORDED: Final = "usage.recorded"

#: Events that invalidate per-replica caches (principals, plans).
CACHE_INVALIDATION_EVENTS: Final = (
    KEY_REVOKED,
    SESSION_REVOKED,
    USER_ROLE_CHANGED,
    USER_DEACTIVATED,
    SUBSCRIPTION_CHANGED,
)

#: Durable queue of the entitlements service: it must not miss a usage event.
ENTITLEMENTS_USAGE_QUEUE: Final = "entitlements.usage.recorded"
