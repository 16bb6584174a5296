"""Publish ``subscription.changed`` to Atlas's bus from another service (a billing system).

Standalone: aio-pika only, no Atlas import. What it does, in the order docs/events.md gives:

1. connect and open a channel with publisher confirms;
2. look the exchange ``atlas.events`` up passively (Atlas declares it; never redeclare it);
3. publish one persistent JSON message, ``mandatory``, routing key = the message's ``type``,
   ``message_id`` = its ``event_id``, with a W3C ``traceparent`` header;
4. wait for the broker's confirm; on a nack or a timeout publish again with the SAME event_id.

    python examples/events/publish_subscription_changed.py --customer-id ws-1 --version 42

``--version`` is the customer's entitlements version after the change (the operator API's
answer, or ``version`` in GET /internal/v1/customers/{id}/entitlements). Exit codes: 0
published (or nobody was subscribed: no cache to drop), 1 not confirmed after the retries,
2 bad arguments or no Atlas topology on that broker / vhost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import uuid
from datetime import UTC, datetime

import aio_pika
from aio_pika.exceptions import AMQPConnectionError, DeliveryError, PublishError

EXCHANGE = "atlas.events"
ROUTING_KEY = "subscription.changed"
DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"


def build_event(customer_id: str, version: int, event_id: str | None = None) -> dict[str, object]:
    """The message body: the envelope every bus message carries, then the event's fields."""
    return {
        "type": ROUTING_KEY,  # also the routing key
        "schema_version": 1,
        "event_id": event_id or uuid.uuid4().hex,  # keep it when you retry
        "occurred_at": datetime.now(UTC).isoformat(),
        "customer_id": customer_id,
        "version": version,
    }


def amqp_message(event: dict[str, object]) -> aio_pika.Message:
    # A new trace (no caller span here); a service with OpenTelemetry injects its own.
    traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
    return aio_pika.Message(
        json.dumps(event).encode(),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,  # survives a broker restart
        message_id=str(event["event_id"]),
        type=str(event["type"]),
        timestamp=datetime.now(UTC),
        headers={"traceparent": traceparent},
    )


async def publish(
    url: str, event: dict[str, object], *, attempts: int = 5, timeout: float = 10.0
) -> str:
    """Publish until confirmed; 'confirmed' or 'unroutable'. Raises after ``attempts``."""
    connection = await aio_pika.connect(url, timeout=timeout)
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(EXCHANGE, ensure=True)  # passive: Atlas owns it
        for attempt in range(1, attempts + 1):
            try:
                await exchange.publish(
                    amqp_message(event), ROUTING_KEY, mandatory=True, timeout=timeout
                )
                return "confirmed"
            except PublishError:
                # Returned: no queue is bound to the key (Atlas's topology binds the audit
                # trail's queue), so no Atlas process has a cache to drop. Nothing to do.
                return "unroutable"
            except (TimeoutError, DeliveryError) as exc:  # nacked or unconfirmed
                if attempt == attempts:
                    raise
                print(f"attempt {attempt} not confirmed ({exc!r}); retrying", file=sys.stderr)
                await asyncio.sleep(min(0.5 * attempt, 5))
    finally:
        await connection.close()
    raise AssertionError("unreachable")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customer-id", required=True, help="the workspace id, or '*'")
    parser.add_argument(
        "--version",
        required=True,
        type=int,
        help="the customer's entitlements version after the change",
    )
    parser.add_argument("--event-id", help="reuse an id to retry an earlier publish")
    parser.add_argument("--url", default=os.environ.get("ATLAS_RABBITMQ_URL", DEFAULT_URL))
    args = parser.parse_args(argv)
    event = build_event(args.customer_id, args.version, args.event_id)
    try:
        outcome = asyncio.run(publish(args.url, event))
    except aio_pika.exceptions.ChannelNotFoundEntity:
        print(f"no exchange {EXCHANGE} on that vhost: start Atlas once first", file=sys.stderr)
        return 2
    except (TimeoutError, DeliveryError, ConnectionError, AMQPConnectionError) as exc:
        print(f"not confirmed: {exc!r}; retry with --event-id {event['event_id']}", file=sys.stderr)
        return 1
    print(json.dumps({"outcome": outcome, "event_id": event["event_id"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
