"""The Atlas message bus (RabbitMQ through aio-pika). See :mod:`atlas_common.bus.names`."""

from atlas_common.bus.connection import (
    BROKER_ERRORS,
    BrokerSlow,
    BrokerUnavailable,
    Bus,
    QueueFull,
)
from atlas_common.bus.events import EventPublisher
from atlas_common.bus.handling import (
    Delivery,
    Handler,
    RetryableError,
    TerminalError,
    TypedHandler,
)

__all__ = [
    "BROKER_ERRORS",
    "BrokerSlow",
    "BrokerUnavailable",
    "Bus",
    "Delivery",
    "EventPublisher",
    "Handler",
    "QueueFull",
    "RetryableError",
    "TerminalError",
    "TypedHandler",
]
