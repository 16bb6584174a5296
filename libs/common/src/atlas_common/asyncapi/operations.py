"""The operations (``send`` per publisher and routing key, ``receive`` per consumer and queue)
and the message components (one per model, with the AMQP properties Atlas sets)."""

from __future__ import annotations

from typing import Any, Final

from atlas_common.asyncapi import catalogue
from atlas_common.asyncapi.channels import BINDING, carried, queue_channel_id, route_channel_id
from atlas_common.asyncapi.recorder import Topology
from atlas_common.bus.topology import QueueShape, queue_arguments
from atlas_common.messages import MESSAGE_TYPES

HEADERS: Final = "AmqpHeaders"
TRACEPARENT: Final = "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
_HOW: Final = {
    "outbox": "Written to the service's outbox in the change's transaction and relayed after "
    "the commit: at least once, never lost while the broker is down.",
    "direct": "Published with the broker's confirm, no outbox: a publish that fails is logged "
    "and the event is lost (the answer goes on).",
    "job": "Published with the broker's confirm and an expiration of ATLAS_QUERY_DEADLINE_S; "
    "a nack (the queue at its x-max-length, reject-publish) is answered 503 overloaded.",
}
_CACHE: Final = (
    "Acked after the handler returns; the handler only drops cache entries, so a second "
    "delivery or any order gives the same result. Malformed, or of a type the queue does "
    "not carry: dropped (no dead-letter exchange)."
)


def operations(topology: Topology) -> dict[str, Any]:
    return {**_sends(), **_receives(topology), **_subscribed()}


def _message_list(channel: str, routing_keys: tuple[str, ...] | list[str]) -> list[Any]:
    return [
        {"$ref": f"#/channels/{channel}/messages/{MESSAGE_TYPES[k].__name__}"} for k in routing_keys
    ]


def _sends() -> dict[str, Any]:
    ops = {}
    for key, publishers in catalogue.PUBLISHERS.items():
        for publisher in publishers:
            ops[f"{publisher.service}.send.{key}"] = _send(key, publisher)
    return ops


def _send(key: str, publisher: catalogue.Publisher) -> dict[str, Any]:
    channel = route_channel_id(key)
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": _message_list(channel, [key]),
        "summary": publisher.what,
        "description": _HOW[publisher.how],
        "tags": [{"name": publisher.service}],
        "bindings": {"amqp": {**BINDING, "deliveryMode": 2, "mandatory": True}},
        "x-publisher-confirms": True,
    }


def _receives(topology: Topology) -> dict[str, Any]:
    ops = {}
    for consumer in catalogue.CONSUMERS:
        channel = queue_channel_id(consumer.queue)
        keys = carried(topology.queues[consumer.queue])
        ops[f"{consumer.service}.receive.{consumer.queue}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": _message_list(channel, keys),
            "summary": consumer.what,
            "description": consumer.settles
            or _settling(consumer.queue, consumer.requeue_unknown),
            "tags": [{"name": consumer.service}],
            "bindings": {"amqp": {**BINDING, "ack": True}},
        }
    return ops


def _subscribed() -> dict[str, Any]:
    ops = {}
    for sub in catalogue.SUBSCRIPTIONS:
        for service in sub.services:
            ops[f"{service}.receive.{sub.id}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{sub.id}"},
                "messages": _message_list(sub.id, sub.routing_keys),
                "summary": sub.what,
                "description": _CACHE,
                "tags": [{"name": service}],
                "bindings": {"amqp": {**BINDING, "ack": True}},
            }
    return ops


def _settling(queue: str, requeue_unknown: bool) -> str:
    """What atlas_common.bus.handling.wrap does with a delivery, for this durable queue."""
    arguments = queue_arguments(queue, QueueShape(delivery_limit=1))
    if "x-dead-letter-exchange" in arguments:
        rejected = (
            f"dead-lettered to {arguments['x-dead-letter-exchange']} (routing key "
            f"{arguments['x-dead-letter-routing-key']})"
        )
        limit = " up to x-delivery-limit deliveries, then dead-lettered"
    else:
        rejected = "dropped (this queue has no dead-letter exchange)"
        limit = (
            " with no bound set by Atlas (RabbitMQ 4 drops it after its default "
            "delivery limit of 20; RabbitMQ 3 has none)"
        )
    unknown = "requeued" if requeue_unknown else rejected
    return (
        f"Acked after the handler returns. Malformed, or of a type the queue does not "
        f"carry: {rejected}. RetryableError: requeued after a short back-off,{limit}. "
        f"TerminalError: {rejected}. Any other error: {unknown}."
    )


def messages() -> dict[str, Any]:
    components = {}
    for key, cls in MESSAGE_TYPES.items():
        components[cls.__name__] = {
            "name": key,
            "title": cls.__name__,
            "summary": "; or ".join(p.what for p in catalogue.PUBLISHERS[key]),
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{cls.__name__}"},
            "headers": {"$ref": f"#/components/schemas/{HEADERS}"},
            "correlationId": {
                "location": "$message.payload#/event_id",
                "description": "The event's id; also the AMQP message_id.",
            },
            "bindings": {"amqp": {**BINDING, "messageType": key}},
            "x-amqp-properties": {
                "content_type": "application/json",
                "delivery_mode": 2,
                "message_id": "$message.payload#/event_id",
                "type": key,
            },
        }
    return components


def headers_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "AMQP application headers. Optional: a consumer continues the trace "
        "they carry. The broker adds x-delivery-count on redeliveries (quorum queues).",
        "properties": {
            "traceparent": {
                "type": "string",
                "pattern": TRACEPARENT,
                "description": "W3C trace context: the publisher's span.",
            },
            "tracestate": {"type": "string", "description": "W3C trace state."},
        },
    }
