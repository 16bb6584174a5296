"""Receivers (one per session), settings and a sample answer for the delivery tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.contract import Answer, DeliveryRun, DeliveryTask
from atlas_scheduler.delivery.dispatch import Delivery
from tests.scheduler.delivery.receivers import HttpReceiver, SmtpHandler, smtp_server
from tests.support.inprocess import isolated, serve

WEBHOOK_SECRET = "whsec-test-" + "k" * 24
SMTP_USER, SMTP_PASSWORD = "atlas", "smtp-password-not-to-be-logged"


@pytest.fixture(scope="package")
async def http_receiver() -> AsyncIterator[tuple[HttpReceiver, str]]:
    receiver = HttpReceiver()
    async with serve(receiver.app()) as url:
        yield receiver, url


@pytest.fixture(scope="package")
def smtp() -> Iterator[tuple[SmtpHandler, int]]:
    handler = SmtpHandler()
    controller = smtp_server(handler, SMTP_USER, SMTP_PASSWORD)
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def settings(
    smtp: tuple[SmtpHandler, int], http_receiver: tuple[HttpReceiver, str]
) -> Callable[..., DeliverySettings]:
    def make(**overrides: Any) -> DeliverySettings:
        values: dict[str, Any] = {
            "delivery_attempts": 3,
            "delivery_backoff_base_s": 0.01,
            "delivery_backoff_cap_s": 0.05,
            "delivery_timeout_s": 5,
            "webhook_secret": WEBHOOK_SECRET,
            "allow_private_webhooks": True,
            "slack_webhook_base": f"{http_receiver[1]}/slack/",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp[1],
            "smtp_starttls": False,
            "smtp_user": SMTP_USER,
            "smtp_password": SMTP_PASSWORD,
            "smtp_from": "Atlas <atlas@example.test>",
        }
        return isolated(DeliverySettings)(**{**values, **overrides})

    return make


@pytest.fixture
async def deliver(settings: Callable[..., DeliverySettings]) -> AsyncIterator[Delivery]:
    delivery = Delivery(settings())
    yield delivery
    await delivery.aclose()


def task(channel: str, *recipients: dict[str, Any], name: str = "Weekly revenue") -> DeliveryTask:
    return DeliveryTask(
        id=str(uuid.uuid4()),
        workspace="default",
        name=name,
        question="Revenue by region last week?",
        channel=channel,  # type: ignore[arg-type]
        recipients=list(recipients),
    )


def run() -> DeliveryRun:
    now = datetime.now(UTC)
    return DeliveryRun(id=str(uuid.uuid4()), task_id="t", slot_at=now, started_at=now)


ANSWER = Answer(
    question="Revenue by region last week?",
    conversation_id=str(uuid.uuid4()),
    narrative="EMEA led with 1,200 <b>units</b> & more.",
    sql="SELECT region, SUM(revenue) AS revenue FROM orders GROUP BY region",
    columns=["region", "revenue"],
    rows=[["EMEA", 1200.5], ["AMER <script>", 900], ['=HYPERLINK("x")', None]],
)


def unique(prefix: str) -> str:
    return f"/{prefix}/{uuid.uuid4().hex}"
