"""JSON Schemas of the bus messages, from the pydantic models (``model_json_schema``).

Every model and every model it nests becomes one entry of ``components.schemas`` (refs are
rewritten to point there). ``required`` is what a publisher must send, which is more than the
parser insists on: the parser fills a missing ``event_id`` or ``occurred_at`` with a fresh one
(a retried publish would then be a new event), and it needs ``type`` to pick the model.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic.json_schema import models_json_schema

from atlas_common.messages import MESSAGE_TYPES, BusMessage

REF_TEMPLATE: Final = "#/components/schemas/{model}"
#: Sent by every Atlas publisher (``model_dump_json``), so required of any other publisher.
ENVELOPE: Final = ("type", "schema_version", "event_id", "occurred_at")

_DESCRIPTIONS: Final = {
    "type": "The message type; also its routing key and the AMQP `type` property.",
    "schema_version": "The version of this message's schema.",
    "event_id": "Unique per event, and the same on every retry of its publish (a retry is "
    "the same event); also the AMQP `message_id`.",
    "occurred_at": "When the change happened: RFC 3339 with its offset (UTC).",
}


def message_schemas() -> dict[str, Any]:
    """``components.schemas``: every message model and what it nests, by class name."""
    models: list[tuple[type[BusMessage], Any]] = [
        (cls, "validation") for cls in MESSAGE_TYPES.values()
    ]
    _, top = models_json_schema(models, ref_template=REF_TEMPLATE)
    schemas: dict[str, Any] = top["$defs"]
    for cls in MESSAGE_TYPES.values():
        _envelope(schemas[cls.__name__])
    return schemas


def _envelope(schema: dict[str, Any]) -> None:
    properties: dict[str, Any] = schema["properties"]
    for name, text in _DESCRIPTIONS.items():
        properties[name]["description"] = text
    required = [name for name in ENVELOPE if name not in schema.get("required", [])]
    schema["required"] = [*required, *schema.get("required", [])]
