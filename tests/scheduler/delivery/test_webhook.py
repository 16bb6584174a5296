"""Webhook delivery: payload, signature (the documented recipe), replays, retries, addresses."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.dispatch import Delivery
from tests.scheduler.delivery.conftest import ANSWER, WEBHOOK_SECRET, run, task, unique
from tests.scheduler.delivery.receivers import SLOW, HttpReceiver
from tests.scheduler.delivery.snippets import python_verifier, snippet

Receiver = tuple[HttpReceiver, str]


def hook(url: str, **extra: object) -> dict[str, object]:
    return {"type": "webhook", "url": url, **extra}


async def test_delivered_with_the_answer(deliver: Delivery, http_receiver: Receiver) -> None:
    receiver, base = http_receiver
    path = unique("hook")
    the_task, the_run = task("webhook", hook(base + path, headers={"X-Team": "ops"})), run()
    outcome = await deliver(the_task, the_run, ANSWER)
    assert (outcome.status, outcome.attempts, outcome.error) == ("delivered", 1, None)
    [got] = receiver.at(path)
    body = json.loads(got.body)
    assert body["question"] == ANSWER.question and body["answer"] == ANSWER.narrative
    assert body["sql"] == ANSWER.sql and body["columns"] == ["region", "revenue"]
    assert body["rows"] == ANSWER.rows and body["truncated"] is False
    assert body["conversationId"] == ANSWER.conversation_id
    assert (body["runId"], body["taskId"], body["taskName"]) == (
        the_run.id,
        the_task.id,
        "Weekly revenue",
    )
    assert body["deliveredAt"] and body["event"] == "scheduled_task.run.delivered"
    assert got.headers["content-type"] == "application/json" and got.headers["x-team"] == "ops"
    assert got.headers["host"] == base.removeprefix("http://")


async def test_signature_verifies_with_the_documented_recipe(
    deliver: Delivery, http_receiver: Receiver
) -> None:
    receiver, base = http_receiver
    path = unique("hook")
    await deliver(task("webhook", hook(base + path)), run(), ANSWER)
    [got] = receiver.at(path)
    verify = python_verifier()
    signature, ident = got.headers["x-atlas-signature"], got.headers["x-atlas-delivery-id"]
    assert verify(WEBHOOK_SECRET, signature, ident, got.body, set()) == "ok"
    assert verify("another-secret-of-16+", signature, ident, got.body, set()) == "invalid"
    assert verify(WEBHOOK_SECRET, signature, ident, got.body + b" ", set()) == "invalid"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_node_snippet_agrees(
    deliver: Delivery, http_receiver: Receiver, tmp_path: Path
) -> None:
    receiver, base = http_receiver
    path = unique("hook")
    await deliver(task("webhook", hook(base + path)), run(), ANSWER)
    [got] = receiver.at(path)
    (tmp_path / "verify.js").write_text(snippet("node"))
    (tmp_path / "body.bin").write_bytes(got.body)
    script = (
        "const { verifyAtlasWebhook } = require('./verify.js');"
        "const body = require('node:fs').readFileSync('./body.bin'); const seen = new Set();"
        "const [s, h, id] = process.argv.slice(1);"
        "const verify = () => verifyAtlasWebhook(s, h, id, body, seen);"
        "console.log(verify(), verify());"
    )
    node = await asyncio.create_subprocess_exec(
        "node",
        "-e",
        script,
        WEBHOOK_SECRET,
        got.headers["x-atlas-signature"],
        got.headers["x-atlas-delivery-id"],
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(node.communicate(), 30)
    assert node.returncode == 0 and out.decode().split() == ["ok", "duplicate"]


async def test_a_replay_is_detectable(deliver: Delivery, http_receiver: Receiver) -> None:
    receiver, base = http_receiver
    path = unique("hook")
    await deliver(task("webhook", hook(base + path)), run(), ANSWER)
    [got] = receiver.at(path)
    verify, seen = python_verifier(), set[str]()
    signature, ident = got.headers["x-atlas-signature"], got.headers["x-atlas-delivery-id"]
    assert verify(WEBHOOK_SECRET, signature, ident, got.body, seen) == "ok"
    # The same request again (same delivery id) within the window: a duplicate.
    assert verify(WEBHOOK_SECRET, signature, ident, got.body, seen) == "duplicate"
    # The capture replayed later (a fresh store, an old timestamp): refused.
    later = time.time() + 301
    assert verify(WEBHOOK_SECRET, signature, ident, got.body, set(), now=later) == "invalid"


async def test_failing_twice_then_succeeding_is_delivered_once(
    deliver: Delivery, http_receiver: Receiver
) -> None:
    receiver, base = http_receiver
    path = receiver.script(unique("flaky"), 503, 500)
    outcome = await deliver(task("webhook", hook(base + path)), run(), ANSWER)
    assert (outcome.status, outcome.attempts, outcome.error) == ("delivered", 3, None)
    got = receiver.at(path)
    assert [r.status for r in got] == [503, 500, 200]
    assert len({r.headers["x-atlas-delivery-id"] for r in got}) == 1  # one id for every retry
    assert len({r.body for r in got}) == 1


async def test_a_400_fails_permanently_without_retries(
    deliver: Delivery, http_receiver: Receiver
) -> None:
    receiver, base = http_receiver
    path = receiver.script(unique("bad"), 400, 400, 400)
    outcome = await deliver(task("webhook", hook(base + path)), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 1)
    assert outcome.error == "127.0.0.1: HTTP 400"
    assert len(receiver.at(path)) == 1


async def test_a_429_is_retried(deliver: Delivery, http_receiver: Receiver) -> None:
    receiver, base = http_receiver
    path = receiver.script(unique("busy"), 429)
    outcome = await deliver(task("webhook", hook(base + path)), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("delivered", 2)


async def test_5xx_forever_fails_permanently_after_the_attempts(
    deliver: Delivery, http_receiver: Receiver
) -> None:
    receiver, base = http_receiver
    path = receiver.script(unique("down"), *[502] * 10)
    outcome = await deliver(task("webhook", hook(base + path)), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 3)
    assert outcome.error == "127.0.0.1: HTTP 502 (after 3 attempts)"
    assert len(receiver.at(path)) == 3


async def test_a_slow_receiver_times_out_and_is_retried(
    settings: Callable[..., DeliverySettings], http_receiver: Receiver
) -> None:
    receiver, base = http_receiver
    slow_once = receiver.script(unique("slow"), SLOW)
    always_slow = receiver.script(unique("slow"), SLOW, SLOW, SLOW)
    delivery = Delivery(settings(delivery_timeout_s=0.3))
    try:
        once = await delivery(task("webhook", hook(base + slow_once)), run(), ANSWER)
        always = await delivery(task("webhook", hook(base + always_slow)), run(), ANSWER)
    finally:
        await delivery.aclose()
    assert (once.status, once.attempts) == ("delivered", 2)
    assert (always.status, always.attempts) == ("failed_permanent", 3)
    assert always.error == "127.0.0.1: timed out (after 3 attempts)"


async def test_a_redirect_is_not_followed(deliver: Delivery, http_receiver: Receiver) -> None:
    receiver, base = http_receiver
    path = receiver.script(unique("moved"), 307)
    outcome = await deliver(task("webhook", hook(base + path)), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 1)
    assert len(receiver.at(path)) == 1


async def test_a_refused_connection_is_retried_then_permanent(deliver: Delivery) -> None:
    from tests.support.stack import free_port

    url = f"http://127.0.0.1:{free_port()}/nobody"
    outcome = await deliver(task("webhook", hook(url)), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 3)
    assert outcome.error == "127.0.0.1: ConnectError (after 3 attempts)"


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254", "10.0.0.1", "[::ffff:127.0.0.1]"]
)
async def test_a_private_address_is_refused_without_the_setting(
    settings: Callable[..., DeliverySettings], http_receiver: Receiver, host: str
) -> None:
    receiver, base = http_receiver
    port = base.rsplit(":", 1)[1]
    path = unique("private")
    delivery = Delivery(settings(allow_private_webhooks=False))
    try:
        outcome = await delivery(
            task("webhook", hook(f"http://{host}:{port}{path}")), run(), ANSWER
        )
    finally:
        await delivery.aclose()
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 1)
    assert "private address" in (outcome.error or "")
    assert receiver.at(path) == []


async def test_no_secret_means_no_webhook(
    settings: Callable[..., DeliverySettings], http_receiver: Receiver
) -> None:
    receiver, base = http_receiver
    path = unique("unsigned")
    delivery = Delivery(settings(webhook_secret=None))
    try:
        outcome = await delivery(task("webhook", hook(base + path)), run(), ANSWER)
    finally:
        await delivery.aclose()
    assert outcome.status == "failed_permanent" and "WEBHOOK_SECRET" in (outcome.error or "")
    assert receiver.at(path) == []


async def test_recipients_of_another_channel_are_refused(deliver: Delivery) -> None:
    outcome = await deliver(task("webhook", {"type": "email", "address": "a@b.c"}), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 0)
