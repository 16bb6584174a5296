"""Slack delivery to a Slack-like receiver: blocks, the URL base, retries."""

from __future__ import annotations

import json

from atlas_scheduler.delivery.dispatch import Delivery
from tests.scheduler.delivery.conftest import ANSWER, run, task, unique
from tests.scheduler.delivery.receivers import HttpReceiver

Receiver = tuple[HttpReceiver, str]


def slack(url: str) -> dict[str, str]:
    return {"type": "slack", "channel": url}


async def test_message_has_the_blocks(deliver: Delivery, http_receiver: Receiver) -> None:
    receiver, base = http_receiver
    path = unique("slack/services/T0/B0")
    outcome = await deliver(task("slack", slack(base + path)), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("delivered", 1)
    [got] = receiver.at(path)
    message = json.loads(got.body)
    kinds = [b["type"] for b in message["blocks"]]
    assert kinds == ["header", "section", "section", "section", "context"]
    header, narrative, sql, table, context = message["blocks"]
    assert header["text"] == {"type": "plain_text", "text": "Weekly revenue"}
    assert "&lt;b&gt;units&lt;/b&gt; &amp; more" in narrative["text"]["text"]
    assert sql["text"]["text"].startswith("```\nSELECT region")
    rows = table["text"]["text"].splitlines()
    assert rows[1].startswith("region") and "EMEA" in rows[3] and "AMER &lt;script&gt;" in rows[4]
    assert "3 rows" in context["elements"][0]["text"]
    assert message["text"].startswith("Weekly revenue: EMEA led")


async def test_a_url_outside_the_base_is_refused(
    deliver: Delivery, http_receiver: Receiver
) -> None:
    receiver, base = http_receiver
    path = unique("not-slack")
    outcome = await deliver(task("slack", slack(base + path)), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 1)
    assert outcome.error == "slack: not an incoming-webhook URL of the allowed base"
    assert receiver.at(path) == []


async def test_slack_errors_are_retried_or_permanent(
    deliver: Delivery, http_receiver: Receiver
) -> None:
    receiver, base = http_receiver
    flaky = receiver.script(unique("slack/flaky"), 500)
    gone = receiver.script(unique("slack/gone"), 404)
    outcome = await deliver(task("slack", slack(base + flaky), slack(base + gone)), run(), ANSWER)
    assert outcome.status == "failed_permanent" and outcome.attempts == 3
    assert outcome.error == "1 of 2 recipients failed: 127.0.0.1: HTTP 404"
    assert [r.status for r in receiver.at(flaky)] == [500, 200]
