"""Who publishes and who consumes each message: what the code does not declare in one place.

Durable queues and their bindings come from the topology itself (:mod:`.recorder`); this is
the rest: which service publishes each routing key, which service consumes which durable queue,
and the per-process exclusive queues (``Bus.subscribe_events``). A test holds each line to the
services' code (``tests/common/test_asyncapi.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from atlas_common.bus import names


@dataclass(frozen=True)
class Publisher:
    service: str
    what: str
    #: ``outbox``: written in the change's transaction, relayed after the commit; ``direct``:
    #: a confirmed publish whose failure is logged; ``job``: the gateway's confirmed publish.
    how: Literal["outbox", "direct", "job"]


@dataclass(frozen=True)
class Consumer:
    service: str
    queue: str
    what: str
    #: On an unexpected handler error: requeue (True) or drop (False); see bus.handling.wrap.
    requeue_unknown: bool
    #: How deliveries are settled, for a consumer that does not go through bus.handling.wrap
    #: (None: wrap's rules, from ``requeue_unknown`` and the queue's arguments).
    settles: str | None = None


@dataclass(frozen=True)
class Subscription:
    """An exclusive, auto-delete queue per process, bound to ``routing_keys`` on the events
    exchange: it exists only while the process runs (a cache to keep true, nothing to keep)."""

    id: str
    services: tuple[str, ...]
    routing_keys: tuple[str, ...]
    what: str


#: The services (as ``services/<dir>``, the query worker as ``query-worker``) publishing each
#: routing key, and how.
PUBLISHERS: Final[dict[str, tuple[Publisher, ...]]] = {
    names.QUERY_REQUESTED: (
        Publisher("gateway", "a question to answer (POST /api/v1/query, the chat)", "job"),
        Publisher("scheduler", "a scheduled task's question, one per due slot", "outbox"),
    ),
    names.QUERY_ANSWERED: (
        Publisher(
            "query-worker",
            "a question came to an end (answered or not): the audit trail's record, once per "
            "request",
            "direct",
        ),
    ),
    names.KEY_CREATED: (Publisher("keys", "an API key created", "outbox"),),
    names.KEY_REVOKED: (Publisher("keys", "an API key revoked", "outbox"),),
    names.SESSION_REVOKED: (Publisher("auth", "a session signed out or revoked", "outbox"),),
    names.USER_CREATED: (
        Publisher("auth", "a user joined a workspace (signed up, or added by an admin)", "outbox"),
    ),
    names.USER_ROLE_CHANGED: (Publisher("auth", "a user's role changed", "outbox"),),
    names.USER_CLAIMS_CHANGED: (
        Publisher("auth", "a user's RLS claims replaced; the new claims", "outbox"),
    ),
    names.USER_DEACTIVATED: (Publisher("auth", "a user deactivated", "outbox"),),
    names.SUBSCRIPTION_CHANGED: (
        Publisher(
            "entitlements",
            "a customer's plan, overrides or the catalog changed; the new version",
            "outbox",
        ),
    ),
    names.USAGE_RECORDED: (Publisher("query-worker", "tokens one model call spent", "direct"),),
}

CONSUMERS: Final = (
    Consumer("query-worker", names.QUERY_REQUESTED, "answers the question", True),
    Consumer(
        "query-worker",
        names.QUERY_REQUESTED_DEAD,
        "tells the asker a dead-lettered job failed",
        True,
    ),
    Consumer(
        "entitlements",
        names.ENTITLEMENTS_USAGE_QUEUE,
        "counts the usage once per idempotency_key",
        False,
    ),
    Consumer(
        "keys",
        names.KEYS_DEACTIVATIONS_QUEUE,
        "revokes the deactivated user's keys (then publishes key.revoked)",
        False,
    ),
    Consumer(
        "audit",
        names.AUDIT_QUEUE,
        "writes each answered question and each change to the audit trail, once per event_id",
        False,
        "Batched: held unacked until its batch is written to PostgreSQL (one INSERT that skips "
        "event ids already written), then acked with the batch, so a crash or a broker restart "
        "redelivers and a redelivered event is written once. PostgreSQL down: the batch is "
        "retried in place with back-off, its messages still held. Malformed, or a change that "
        "names no workspace (published before issue 25): acked with its batch and dropped.",
    ),
)

SUBSCRIPTIONS: Final = (
    Subscription(
        "principalInvalidations",
        ("gateway",),
        names.PRINCIPAL_INVALIDATION_EVENTS,
        "each gateway replica drops the cached principals the event names",
    ),
    Subscription(
        "entitlementsCache",
        ("gateway", "keys", "query-worker", "scheduler"),
        (names.SUBSCRIPTION_CHANGED,),
        "each process holding an EntitlementsClient drops the customer's snapshots "
        "older than the event's version (customer '*': every customer's)",
    ),
)
