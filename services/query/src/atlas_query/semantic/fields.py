"""Field helpers shared by the layer models: lenient text, optional lists, and the
"unknown enum value: warn and leave the item out" rule."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationInfo

log = logging.getLogger("atlas_query.semantic")


def _to_text(value: Any) -> Any:
    # YAML turns `version: 1.0` or `name: 2024` into numbers; the format means text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_to_text)]


def as_list(value: Any) -> Any:
    return [] if value is None else value


def keep_known(items: Any, key: str, allowed: tuple[str, ...], info: ValidationInfo) -> Any:
    """Drop (with a warning) the items of a list whose ``key`` holds an unknown enum value."""
    if not isinstance(items, list):
        return as_list(items)
    kept = []
    for index, item in enumerate(items):
        value = item.get(key) if isinstance(item, dict) else None
        if value is not None and value not in allowed:
            warn(info, f"{info.field_name}[{index}].{key}", value, allowed)
            continue
        kept.append(item)
    return kept


def warn(info: ValidationInfo, field: str, value: Any, allowed: tuple[str, ...]) -> None:
    context = info.context or {}
    message = (f"{context.get('file', '<layer>')}: {field}: unknown value {value!r} "
               f"(expected one of {', '.join(allowed)}); item left out")
    log.warning(message)
    context.setdefault("warnings", []).append(message)


def warn_unknown_entity_type(file: str, value: Any, allowed_types: tuple[str, ...]) -> str:
    allowed = ", ".join(allowed_types)
    message = (f"{file}: type: unknown value {value!r} (expected one of {allowed}); "
               "entity left out")
    log.warning(message)
    return message
