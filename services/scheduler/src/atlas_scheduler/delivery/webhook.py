"""The webhook channel: the answer as signed JSON, POSTed to the recipient's URL.

Headers: ``X-Atlas-Signature`` (:mod:`signing`), ``X-Atlas-Delivery-Id`` (the same on every
retry of one run to one URL, so a receiver drops a second copy), ``X-Atlas-Event``. The body is
built once per delivery; each attempt signs it with a fresh timestamp.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from atlas_scheduler.delivery import http
from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.contract import Answer, DeliveryRun, DeliveryTask
from atlas_scheduler.delivery.retry import Permanent
from atlas_scheduler.delivery.signing import DELIVERY_ID_HEADER, SIGNATURE_HEADER, signature_header

EVENT = "scheduled_task.run.delivered"
_NAMESPACE = uuid.UUID("5b0f8a4e-4f8e-4d39-9d8a-2f1c9a6b7e10")
#: Headers a recipient's own ``headers`` may not replace.
_RESERVED = {
    "host",
    "content-type",
    "content-length",
    "user-agent",
    "x-atlas-signature",
    "x-atlas-delivery-id",
    "x-atlas-event",
}


def delivery_id(run: DeliveryRun, url: str) -> str:
    """Stable for one run and one URL: a retry, or a replica recovering the run, reuses it."""
    return str(uuid.uuid5(_NAMESPACE, f"{run.id}|{url}"))


def payload(task: DeliveryTask, run: DeliveryRun, answer: Answer) -> dict[str, Any]:
    return {
        "event": EVENT,
        "question": answer.question,
        "answer": answer.narrative,
        "sql": answer.sql,
        "columns": answer.columns,
        "rows": answer.rows,
        "truncated": answer.truncated,
        "conversationId": answer.conversation_id,
        "runId": run.id,
        "taskId": task.id,
        "taskName": task.name,
        "slotAt": run.slot_at.isoformat(),
        "deliveredAt": datetime.now(UTC).isoformat(),
    }


class WebhookSender:
    """One recipient's attempts: ``await sender()`` is one signed POST."""

    def __init__(
        self,
        settings: DeliverySettings,
        client: httpx.AsyncClient,
        recipient: dict[str, Any],
        body: bytes,
        ident: str,
    ) -> None:
        self.settings, self.client, self.body, self.ident = settings, client, body, ident
        self.url = str(recipient.get("url") or "")
        self.extra = _extra_headers(recipient.get("headers"))

    async def __call__(self) -> None:
        secret = self.settings.webhook_secret
        if secret is None:
            raise Permanent("webhook: ATLAS_SCHEDULER_WEBHOOK_SECRET is not set")
        headers = {
            **self.extra,
            DELIVERY_ID_HEADER: self.ident,
            "X-Atlas-Event": EVENT,
            SIGNATURE_HEADER: signature_header(secret.get_secret_value(), self.body),
        }
        await http.post(
            self.client,
            self.url,
            self.body,
            headers,
            allow_private=self.settings.allow_private_webhooks,
        )


def senders(
    settings: DeliverySettings,
    client: httpx.AsyncClient,
    task: DeliveryTask,
    run: DeliveryRun,
    answer: Answer,
) -> list[WebhookSender]:
    body = json.dumps(payload(task, run, answer), default=str, separators=(",", ":")).encode()
    return [
        WebhookSender(settings, client, r, body, delivery_id(run, str(r.get("url"))))
        for r in task.recipients
    ]


def _extra_headers(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items() if str(k).lower() not in _RESERVED}
