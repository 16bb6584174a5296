"""Where a server is expected (host, port, credentials from its URL) and whether it answers."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

#: Hosts a private server can listen on; anything else is another machine's business.
LOOPBACK = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1", "::1": "::1"}


@dataclass(frozen=True)
class Endpoint:
    variable: str  # the setting that names it, for messages
    host: str
    port: int
    user: str | None
    password: str | None
    path: str  # URL path, unquoted, without the leading slash

    @classmethod
    def parse(cls, variable: str, url: str, default_port: int) -> Endpoint:
        parts = urlsplit(url)
        return cls(
            variable=variable,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or default_port,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            path=unquote(parts.path[1:]) if parts.path.startswith("/") else unquote(parts.path),
        )

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def local(self) -> bool:
        return self.host in LOOPBACK

    @property
    def bind_address(self) -> str:
        """The address a private server listens on (localhost: IPv4, which clients fall back to)."""
        return LOOPBACK[self.host]

    def answers(self, timeout: float = 2.0) -> bool:
        """Something accepts TCP connections there (the cheap check of the normal path)."""
        try:
            with socket.create_connection((self.host, self.port), timeout=timeout):
                return True
        except OSError:
            return False

    def bindable(self) -> bool:
        family = socket.AF_INET6 if ":" in self.bind_address else socket.AF_INET
        with socket.socket(family) as sock:
            # As the servers bind: a port whose last connections are in TIME_WAIT (the
            # previous run's) is free; one with a listener is not.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.bind_address, self.port))
            except OSError:
                return False
        return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
