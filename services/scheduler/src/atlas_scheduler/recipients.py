"""Recipients must fit the task's channel (upstream's ``Recipient`` union, one shape each)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from atlas_scheduler.errors import InvalidRecipients

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_MAX_TEXT = 2048
_MAX_HEADERS = 20


def _text(recipient: dict[str, Any], key: str, where: str) -> str:
    value = recipient.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise InvalidRecipients(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _email(r: dict[str, Any], where: str) -> dict[str, Any]:
    address = _text(r, "address", where)
    if not _EMAIL.match(address):
        raise InvalidRecipients(f"{where}: {address!r} is not an email address")
    return {"type": "email", "address": address}


def _url(value: str, where: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRecipients(f"{where}: the URL must be http(s) with a host")
    return value


def _slack(r: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "slack", "channel": _url(_text(r, "channel", where), where)}
    if r.get("teamId") is not None:
        out["teamId"] = _text(r, "teamId", where)
    return out


def _webhook(r: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "webhook", "url": _url(_text(r, "url", where), where)}
    headers = r.get("headers")
    if headers is not None:
        ok = isinstance(headers, dict) and len(headers) <= _MAX_HEADERS and all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
        if not ok:
            raise InvalidRecipients(f"{where}: headers must be an object of strings")
        out["headers"] = headers
    return out


_SHAPES = {"email": _email, "slack": _slack, "webhook": _webhook}


def validate(channel: str, recipients: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The recipients, normalised; ``invalid_recipients`` when one does not fit ``channel``."""
    checked = []
    for i, recipient in enumerate(recipients):
        where = f"recipients[{i}]"
        kind = recipient.get("type")
        if kind != channel:
            raise InvalidRecipients(
                f"{where}: type {kind!r} does not match deliveryChannel {channel!r}")
        checked.append(_SHAPES[channel](recipient, where))
    return checked
