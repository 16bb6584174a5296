"""The channels: one per routing key on each exchange (``is: routingKey``: where a publisher
sends), one per durable queue (``is: queue`` with its ``x-arguments`` and ``x-bindings``: where a
service consumes), one per kind of per-process exclusive queue."""

from __future__ import annotations

from typing import Any, Final

from atlas_common.asyncapi import catalogue
from atlas_common.asyncapi.recorder import Queue, Topology
from atlas_common.bus import names
from atlas_common.bus.topology import exchange_for
from atlas_common.messages import MESSAGE_TYPES

BINDING: Final = {"bindingVersion": "0.3.0"}


def channels(topology: Topology) -> dict[str, Any]:
    return {**_route_channels(topology), **_queue_channels(topology), **_subscription_channels()}


def route_channel_id(routing_key: str) -> str:
    exchange = exchange_for(routing_key)
    prefix = "jobs" if exchange == names.JOBS_EXCHANGE else "events"
    return f"{prefix}.{routing_key}"


def queue_channel_id(queue: str) -> str:
    return f"queue.{queue}"


def _message_refs(routing_keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
    refs = {}
    for key in routing_keys:
        name = MESSAGE_TYPES[key].__name__
        refs[name] = {"$ref": f"#/components/messages/{name}"}
    return refs


def _route_channels(topology: Topology) -> dict[str, Any]:
    channels = {}
    for key in names.ROUTING_KEYS:
        exchange = topology.exchanges[exchange_for(key)]
        channels[route_channel_id(key)] = {
            "address": key,
            "title": f"{key} on {exchange.name}",
            "messages": _message_refs([key]),
            "bindings": {
                "amqp": {
                    **BINDING,
                    "is": "routingKey",
                    "exchange": {
                        "name": exchange.name,
                        "type": exchange.type,
                        "durable": exchange.durable,
                        "autoDelete": False,
                        "vhost": "/",
                    },
                }
            },
        }
    return channels


def _queue_channels(topology: Topology) -> dict[str, Any]:
    channels = {}
    for queue in topology.queues.values():
        keys = carried(queue)
        channels[queue_channel_id(queue.name)] = {
            "address": queue.name,
            "title": f"queue {queue.name}",
            "messages": _message_refs(keys),
            "bindings": {
                "amqp": {
                    **BINDING,
                    "is": "queue",
                    "queue": {
                        "name": queue.name,
                        "durable": queue.durable,
                        "exclusive": False,
                        "autoDelete": False,
                        "vhost": "/",
                    },
                    "x-arguments": queue.arguments,
                    "x-bindings": [{"exchange": e, "routingKey": k} for e, k in queue.bindings],
                }
            },
        }
    return channels


def carried(queue: Queue) -> list[str]:
    """The message types a queue carries: its binding keys (the dead letters keep theirs)."""
    if queue.name == names.QUERY_REQUESTED_DEAD:
        return [names.QUERY_REQUESTED]
    return [key for _, key in queue.bindings]


def _subscription_channels() -> dict[str, Any]:
    channels = {}
    for sub in catalogue.SUBSCRIPTIONS:
        channels[sub.id] = {
            "address": None,  # server-named (amq.gen-...), one per process
            "title": f"exclusive queue per process: {', '.join(sub.routing_keys)}",
            "description": f"{sub.what}. Exclusive and auto-delete: it exists while the "
            "process is connected; after a reconnect the process drops its whole cache, as it "
            "may have missed events.",
            "messages": _message_refs(sub.routing_keys),
            "bindings": {
                "amqp": {
                    **BINDING,
                    "is": "queue",
                    "queue": {
                        "durable": False,
                        "exclusive": True,
                        "autoDelete": True,
                        "vhost": "/",
                    },
                    "x-bindings": [
                        {"exchange": names.EVENTS_EXCHANGE, "routingKey": key}
                        for key in sub.routing_keys
                    ],
                }
            },
        }
    return channels
