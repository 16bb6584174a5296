"""No secret in logs or in the stored error: the signing secret, the SMTP password, Slack paths."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.dispatch import Delivery
from tests.scheduler.delivery.conftest import ANSWER, SMTP_PASSWORD, WEBHOOK_SECRET, run, task
from tests.scheduler.delivery.receivers import HttpReceiver, SmtpHandler

SLACK_SECRET = "XXXXslackpathsecretXXXX"
HEADER_SECRET = "Bearer header-token-secret"


async def test_no_secret_reaches_a_log(
    caplog: pytest.LogCaptureFixture,
    settings: Callable[..., DeliverySettings],
    http_receiver: tuple[HttpReceiver, str],
    smtp: tuple[SmtpHandler, int],
) -> None:
    receiver, base = http_receiver
    ok_hook = receiver.script(f"/hook/{WEBHOOK_SECRET[:4]}ok", 500)
    slack_path = receiver.script(f"/slack/services/T1/B1/{SLACK_SECRET}", 503, 400)
    delivery = Delivery(settings())
    caplog.set_level(logging.DEBUG)
    try:
        outcomes = [
            await delivery(
                task(
                    "webhook",
                    {
                        "type": "webhook",
                        "url": base + ok_hook,
                        "headers": {"Authorization": HEADER_SECRET},
                    },
                ),
                run(),
                ANSWER,
            ),
            await delivery(
                task("slack", {"type": "slack", "channel": base + slack_path}), run(), ANSWER
            ),
            await delivery(
                task("email", {"type": "email", "address": "bo@example.test"}), run(), ANSWER
            ),
        ]
        wrong = Delivery(settings(smtp_password=SMTP_PASSWORD + "-wrong"))
        outcomes.append(
            await wrong(task("email", {"type": "email", "address": "c@d.test"}), run(), ANSWER)
        )
        await wrong.aclose()
    finally:
        await delivery.aclose()
    assert [o.status for o in outcomes] == [
        "delivered",
        "failed_permanent",
        "delivered",
        "failed_permanent",
    ]
    assert receiver.at(slack_path) and "delivery attempt failed" in caplog.text
    assert "HTTP Request: POST http://127.0.0.1" in caplog.text  # httpx's line, origin only
    # The receivers' own logs (uvicorn's access line, aiosmtpd's) are the far side: not ours.
    ours = [r for r in caplog.records if not r.name.startswith(("uvicorn", "mail.log"))]
    logged = "".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    stored = " ".join(o.error or "" for o in outcomes)
    for secret in (WEBHOOK_SECRET, SMTP_PASSWORD, SLACK_SECRET, HEADER_SECRET):
        assert secret not in logged and secret not in stored
