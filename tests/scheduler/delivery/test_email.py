"""Email delivery through a local SMTP server (aiosmtpd): parts, attachment, escaping, retries."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable

from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.dispatch import Delivery
from tests.scheduler.delivery.conftest import ANSWER, run, task
from tests.scheduler.delivery.receivers import SmtpHandler

Smtp = tuple[SmtpHandler, int]


def mailbox() -> str:
    return f"ana-{uuid.uuid4().hex[:8]}@example.test"


async def test_email_has_text_html_and_the_csv(deliver: Delivery, smtp: Smtp) -> None:
    handler, _ = smtp
    to = mailbox()
    outcome = await deliver(task("email", {"type": "email", "address": to}), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("delivered", 1)
    [msg] = handler.to(to)
    assert msg["Subject"] == "[Atlas] Weekly revenue" and msg["To"] == to
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    plain, markup = text.get_content(), html.get_content()
    assert ANSWER.narrative in plain and "EMEA" in plain and ANSWER.sql in plain
    assert "&lt;b&gt;units&lt;/b&gt; &amp; more" in markup and "<b>units</b>" not in markup
    assert "AMER &lt;script&gt;" in markup and "<script>" not in markup
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename() == "weekly-revenue.csv"
    content = attachment.get_content()
    rows = list(csv.reader(io.StringIO(content if isinstance(content, str) else content.decode())))
    assert rows == [
        ["region", "revenue"],
        ["EMEA", "1200.5"],
        ["AMER <script>", "900"],
        ['\'=HYPERLINK("x")', ""],
    ]


async def test_one_message_per_recipient(deliver: Delivery, smtp: Smtp) -> None:
    handler, _ = smtp
    first, second = mailbox(), mailbox()
    recipients = [{"type": "email", "address": a} for a in (first, second)]
    outcome = await deliver(task("email", *recipients), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("delivered", 2)
    assert len(handler.to(first)) == 1 and len(handler.to(second)) == 1
    assert handler.to(first)[0]["To"] == first  # neither sees the other's address


async def test_a_temporary_refusal_is_retried(deliver: Delivery, smtp: Smtp) -> None:
    handler, _ = smtp
    to = mailbox()
    handler.rcpt_script[to] = ["451 4.3.0 try again later"]
    outcome = await deliver(task("email", {"type": "email", "address": to}), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("delivered", 2)
    assert len(handler.to(to)) == 1


async def test_a_refused_recipient_fails_permanently(deliver: Delivery, smtp: Smtp) -> None:
    handler, _ = smtp
    to = mailbox()
    handler.rcpt_script[to] = ["550 5.1.1 no such user"] * 3
    outcome = await deliver(task("email", {"type": "email", "address": to}), run(), ANSWER)
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 1)
    assert outcome.error == "smtp 127.0.0.1: recipient refused (550)"
    assert handler.to(to) == []


async def test_a_wrong_password_fails_permanently(
    settings: Callable[..., DeliverySettings], smtp: Smtp
) -> None:
    delivery = Delivery(settings(smtp_password="wrong-password"))
    try:
        to = mailbox()
        outcome = await delivery(task("email", {"type": "email", "address": to}), run(), ANSWER)
    finally:
        await delivery.aclose()
    assert (outcome.status, outcome.attempts) == ("failed_permanent", 1)
    assert (outcome.error or "").startswith("smtp 127.0.0.1: 535")


async def test_a_header_injection_is_refused(deliver: Delivery, smtp: Smtp) -> None:
    address = "ana@example.test\r\nBcc: eve@example.test"
    outcome = await deliver(task("email", {"type": "email", "address": address}), run(), ANSWER)
    assert (outcome.status, outcome.error) == ("failed_permanent", "email: not an email address")
