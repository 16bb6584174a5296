"""The AsyncAPI 3.0.0 document of the Atlas bus, as a plain dict (sorted when written):
the channels (:mod:`.channels`), the operations and messages (:mod:`.operations`), the
payload schemas from pydantic (:mod:`.schemas`)."""

from __future__ import annotations

from typing import Any, Final

from atlas_common.asyncapi.channels import channels
from atlas_common.asyncapi.operations import HEADERS, headers_schema, messages, operations
from atlas_common.asyncapi.recorder import record_topology
from atlas_common.asyncapi.schemas import message_schemas
from atlas_common.bus.topology import QueueShape
from atlas_common.settings import CommonSettings

TITLE: Final = "Atlas bus (RabbitMQ)"
DESCRIPTION: Final = (
    "Every message Atlas puts on RabbitMQ. Generated from the pydantic models in "
    "atlas_common.messages and the topology every process declares "
    "(atlas_common.bus.topology) by `python -m atlas_common.asyncapi`; do not edit by hand. "
    "How another service publishes an event, and what the consumers guarantee: docs/events.md."
)


def default_shape() -> QueueShape:
    """The queue arguments with the settings' defaults (never the environment's values)."""
    fields = CommonSettings.model_fields
    return QueueShape(
        delivery_limit=fields["job_delivery_limit"].default,
        query_max_length=fields["query_queue_max_length"].default,
    )


def build(shape: QueueShape | None = None) -> dict[str, Any]:
    topology = record_topology(shape or default_shape())
    return {
        "asyncapi": "3.0.0",
        "info": {"title": TITLE, "version": "1.0.0", "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {"rabbitmq": _server()},
        "channels": channels(topology),
        "operations": operations(topology),
        "components": {
            "schemas": {**message_schemas(), HEADERS: headers_schema()},
            "messages": messages(),
        },
    }


def _server() -> dict[str, Any]:
    return {
        "host": "127.0.0.1:5672",
        "protocol": "amqp",
        "protocolVersion": "0.9.1",
        "pathname": "/",
        "description": "ATLAS_RABBITMQ_URL (default amqp://guest:guest@127.0.0.1:5672/); the "
        "path is the vhost. Every Atlas process declares the whole topology at start.",
    }
