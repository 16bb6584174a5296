"""The Slack channel: an incoming-webhook message with blocks.

A header (the task's name), the narrative, the SQL in a code block, the first rows as a
fixed-width table, a context line (rows shown, the run, when). The recipient's ``channel`` is
the incoming-webhook URL, a secret (its path is the credential): only its host is ever logged
or stored. It must start with ``ATLAS_SCHEDULER_SLACK_WEBHOOK_BASE``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from atlas_scheduler.delivery import http, render
from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.contract import Answer, DeliveryRun, DeliveryTask
from atlas_scheduler.delivery.retry import Permanent

SLACK_ROWS = 10
SECTION_CHARS = 2900  # Slack refuses a section text over 3000 characters
HEADER_CHARS = 150


def escape(text: str) -> str:
    """Slack's mrkdwn control characters; nothing else needs escaping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code_block(text: str) -> str:
    body = text.replace("```", "'''")
    return "```\n" + _clip(body, SECTION_CHARS - 8) + "\n```"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message(task: DeliveryTask, run: DeliveryRun, answer: Answer) -> dict[str, Any]:
    rows = render.preview(answer, SLACK_ROWS)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(task.name, HEADER_CHARS)}},
        _section(
            f"*{escape(_clip(answer.question, 300))}*\n"
            f"{escape(_clip(answer.narrative, SECTION_CHARS - 310))}"
        ),
    ]
    if answer.sql:
        blocks.append(_section(code_block(escape(answer.sql))))
    if answer.columns:
        blocks.append(_section(code_block(escape(render.text_table(answer.columns, rows)))))
    slot = f"{run.slot_at:%Y-%m-%d %H:%M %Z}".strip()
    context = f"{render.rows_note(answer, len(rows))} · run {run.id} · slot {slot}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(context)}]})
    # ``text`` is the notification's fallback (and what a Mattermost-compatible hook shows).
    return {"text": _clip(f"{task.name}: {answer.narrative}", 300), "blocks": blocks}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


class SlackSender:
    def __init__(
        self,
        settings: DeliverySettings,
        client: httpx.AsyncClient,
        recipient: dict[str, Any],
        body: bytes,
    ) -> None:
        self.settings, self.client, self.body = settings, client, body
        self.url = str(recipient.get("channel") or "")

    async def __call__(self) -> None:
        if not self.url.startswith(self.settings.slack_webhook_base):
            raise Permanent("slack: not an incoming-webhook URL of the allowed base")
        await http.post(
            self.client, self.url, self.body, {}, allow_private=self.settings.allow_private_webhooks
        )


def senders(
    settings: DeliverySettings,
    client: httpx.AsyncClient,
    task: DeliveryTask,
    run: DeliveryRun,
    answer: Answer,
) -> list[SlackSender]:
    body = json.dumps(message(task, run, answer), separators=(",", ":")).encode()
    return [SlackSender(settings, client, r, body) for r in task.recipients]
