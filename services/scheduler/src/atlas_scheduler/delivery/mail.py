"""The email channel: one message per recipient through SMTP (aiosmtplib).

A text part and an HTML part (the narrative, the SQL, the first rows as a table, every value
escaped) and the whole result as a CSV attachment. SMTP replies decide retries: 4xx and lost
connections are retried, 5xx (a refused recipient, a failed login) are permanent.
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

import aiosmtplib

from atlas_scheduler.delivery import render
from atlas_scheduler.delivery.config import DeliverySettings
from atlas_scheduler.delivery.contract import Answer, DeliveryRun, DeliveryTask
from atlas_scheduler.delivery.retry import Permanent, Retryable


def text_body(task: DeliveryTask, run: DeliveryRun, answer: Answer) -> str:
    rows = render.preview(answer)
    parts = [answer.question, "", answer.narrative, ""]
    if answer.sql:
        parts += ["SQL:", answer.sql, ""]
    if answer.columns:
        parts += [render.text_table(answer.columns, rows), render.rows_note(answer, len(rows)), ""]
    parts.append(f"{task.name} · run {run.id} · all rows attached as CSV")
    return "\n".join(parts)


def html_body(task: DeliveryTask, run: DeliveryRun, answer: Answer) -> str:
    rows = render.preview(answer)
    parts = [
        f"<h2>{html.escape(task.name)}</h2>",
        f"<p><strong>{html.escape(answer.question)}</strong></p>",
        f"<p>{html.escape(answer.narrative)}</p>",
    ]
    if answer.sql:
        parts.append(f"<pre>{html.escape(answer.sql)}</pre>")
    if answer.columns:
        parts.append(render.html_table(answer.columns, rows))
        parts.append(f"<p><small>{html.escape(render.rows_note(answer, len(rows)))}</small></p>")
    parts.append(f"<p><small>run {html.escape(run.id)} · all rows attached as CSV</small></p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def build(
    settings: DeliverySettings, task: DeliveryTask, run: DeliveryRun, answer: Answer, to: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"[Atlas] {task.name}"
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="atlas.scheduler")
    msg.set_content(text_body(task, run, answer))
    msg.add_alternative(html_body(task, run, answer), subtype="html")
    msg.add_attachment(
        render.csv_bytes(answer), maintype="text", subtype="csv", filename=f"{_slug(task.name)}.csv"
    )
    return msg


def _slug(name: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return kept[:60] or "result"


def address(recipient: dict[str, Any]) -> str:
    raw = str(recipient.get("address") or "")
    _, parsed = parseaddr(raw)
    if "@" not in parsed or parsed != raw.strip() or any(c.isspace() for c in parsed):
        raise Permanent("email: not an email address")
    return parsed


class MailSender:
    def __init__(
        self,
        settings: DeliverySettings,
        task: DeliveryTask,
        run: DeliveryRun,
        answer: Answer,
        recipient: dict[str, Any],
    ) -> None:
        self.settings, self.task, self.run, self.answer = settings, task, run, answer
        self.recipient = recipient

    async def __call__(self) -> None:
        s = self.settings
        if not s.smtp_host:
            raise Permanent("email: ATLAS_SCHEDULER_SMTP_HOST is not set")
        msg = build(s, self.task, self.run, self.answer, address(self.recipient))
        password = s.smtp_password.get_secret_value() if s.smtp_password else None
        try:
            await aiosmtplib.send(
                msg,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user,
                password=password,
                use_tls=s.smtp_tls,
                start_tls=s.smtp_starttls and not s.smtp_tls,
                timeout=s.delivery_timeout_s,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise classify(s.smtp_host, exc) from None


def classify(host: str, exc: BaseException) -> Permanent | Retryable:
    """Whether an SMTP failure can pass on a later attempt; the text names the host only."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        error = f"smtp {host}: recipient refused ({', '.join(map(str, codes))})"
        later = bool(codes) and all(400 <= c < 500 for c in codes)
        return Retryable(error) if later else Permanent(error)
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return Permanent(f"smtp {host}: {_short(str(exc))}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        error = f"smtp {host}: {exc.code} {_short(exc.message)}"
        return Permanent(error) if 500 <= exc.code < 600 else Retryable(error)
    return Retryable(f"smtp {host}: {type(exc).__name__}")


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line[:120]


def senders(
    settings: DeliverySettings, task: DeliveryTask, run: DeliveryRun, answer: Answer
) -> list[MailSender]:
    return [MailSender(settings, task, run, answer, r) for r in task.recipients]
