"""Answer streams on Redis: pub/sub per request plus a capped, expiring replay buffer.

Workers write with :class:`StreamWriter`; gateways read through one :class:`StreamHub` each.
"""

from atlas_common.stream.hub import StreamHub
from atlas_common.stream.keys import StreamKeys, cancel_channel, chat_latest_key
from atlas_common.stream.listener import HEARTBEAT, EventSource, Heartbeat, Listener
from atlas_common.stream.writer import (
    StreamClosed,
    StreamStoreLost,
    StreamWriter,
    request_cancel,
)

__all__ = [
    "HEARTBEAT",
    "EventSource",
    "Heartbeat",
    "Listener",
    "StreamClosed",
    "StreamHub",
    "StreamKeys",
    "StreamStoreLost",
    "StreamWriter",
    "cancel_channel",
    "chat_latest_key",
    "request_cancel",
]
