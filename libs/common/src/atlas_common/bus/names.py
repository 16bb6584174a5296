"""Every exchange, queue and routing key of the Atlas bus, in one place.

Grep a name here to find its publisher and its consumer. Every routing key is the ``type`` of
exactly one message of :mod:`atlas_common.messages` (a test holds that both ways); the whole
topology is declared by every process (:mod:`atlas_common.bus.topology`).
"""

from typing import Final

JOBS_EXCHANGE: Final = "atlas.jobs"
JOBS_DLX: Final = "atlas.jobs.dead"
EVENTS_EXCHANGE: Final = "atlas.events"

QUERY_REQUESTED: Final = "query.requested"
QUERY_ANSWERED: Final = "query.answered"

KEY_CREATED: Final = "key.created"
KEY_REVOKED: Final = "key.revoked"
SESSION_REVOKED: Final = "session.revoked"
USER_CREATED: Final = "user.created"
USER_ROLE_CHANGED: Final = "user.role_changed"
USER_CLAIMS_CHANGED: Final = "user.claims_changed"
USER_DEACTIVATED: Final = "user.deactivated"
SUBSCRIPTION_CHANGED: Final = "subscription.changed"
USAGE_RECORDED: Final = "usage.recorded"

#: Events that invalidate a gateway replica's principal cache.
PRINCIPAL_INVALIDATION_EVENTS: Final = (
    KEY_REVOKED,
    SESSION_REVOKED,
    USER_ROLE_CHANGED,
    USER_CLAIMS_CHANGED,
    USER_DEACTIVATED,
)

#: Durable queues (quorum). ``query.requested`` is both a routing key and its queue's name.
QUERY_REQUESTED_DEAD: Final = "query.requested.dead"  # the jobs' dead letters (and their key)
#: The entitlements service's: it must not miss a usage event.
ENTITLEMENTS_USAGE_QUEUE: Final = "entitlements.usage.recorded"
#: The keys service's: a deactivation published before it first starts is kept for it.
KEYS_DEACTIVATIONS_QUEUE: Final = "keys.user.deactivated"
#: The audit service's: every answered question and every change, kept until written.
AUDIT_QUEUE: Final = "audit.events"
#: What the audit trail records: each answered question and each change people make.
AUDITED_EVENTS: Final = (
    QUERY_ANSWERED,
    KEY_CREATED,
    KEY_REVOKED,
    USER_CREATED,
    USER_ROLE_CHANGED,
    USER_CLAIMS_CHANGED,
    USER_DEACTIVATED,
    SUBSCRIPTION_CHANGED,
)

#: Default bound of ``query.requested`` (ready jobs; ``ATLAS_QUERY_QUEUE_MAX_LENGTH``). The
#: gateways' in-flight caps shed load first; this is the backstop across replicas. At the ~60-80
#: answers a second one worker drains (issue 22), 1000 waiting jobs is 12-17 s of work per
#: worker: well inside the 120 s deadline, so an accepted job is still worth answering.
QUERY_QUEUE_MAX_LENGTH: Final = 1000

EXCHANGES: Final = (JOBS_EXCHANGE, JOBS_DLX, EVENTS_EXCHANGE)
QUEUES: Final = (QUERY_REQUESTED, QUERY_REQUESTED_DEAD, ENTITLEMENTS_USAGE_QUEUE,
                 KEYS_DEACTIVATIONS_QUEUE, AUDIT_QUEUE)
ROUTING_KEYS: Final = (QUERY_REQUESTED, QUERY_ANSWERED, KEY_CREATED, USER_CREATED,
                       *PRINCIPAL_INVALIDATION_EVENTS, SUBSCRIPTION_CHANGED, USAGE_RECORDED)
