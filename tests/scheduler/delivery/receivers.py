"""Local receivers the delivery tests start: an HTTP one (webhook and Slack) and an SMTP one.

Each path of the HTTP receiver answers from its own script of statuses (then 200), so a test
owns a path and asserts on what arrived there; the SMTP one answers RCPT from a script too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from fastapi import FastAPI, Request, Response

from tests.support.stack import free_port

#: A script entry: answer 200 only after this long (a receiver slower than the timeout).
SLOW = -1
SLOW_S = 1.0


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class HttpReceiver:
    scripts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    received: list[Received] = field(default_factory=list)

    def script(self, path: str, *statuses: int) -> str:
        self.scripts[path].extend(statuses)
        return path

    def at(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def receive(path: str, request: Request) -> Response:
            script = self.scripts[f"/{path}"]
            status = script.pop(0) if script else 200
            body = await request.body()
            if status == SLOW:
                await asyncio.sleep(SLOW_S)
                status = 200
            self.received.append(Received(f"/{path}", dict(request.headers), body, status))
            return Response(status_code=status)

        return app


class SmtpHandler:
    """Records every message; RCPT answers pop from ``rcpt_script`` per address (then 250)."""

    def __init__(self) -> None:
        self.messages: list[tuple[Envelope, EmailMessage]] = []
        self.rcpt_script: dict[str, list[str]] = defaultdict(list)
        self.logins: list[str] = []

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        script = self.rcpt_script[address]
        if script:
            return script.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        self.messages.append((envelope, parsed))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for e, m in self.messages if address in e.rcpt_tos]


def authenticator(user: str, password: str) -> Any:
    def check(
        server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == user
            and (data.password.decode() == password)
        )
        return AuthResult(success=ok, handled=False)  # the server answers 535 itself

    return check




def smtp_server(handler: SmtpHandler, user: str, password: str) -> Controller:
    return Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator(user, password),
        auth_require_tls=False,
    )
