"""One exception for everything a datasource can refuse, with one clear line to show a person.

Each connection module maps its driver's exceptions to a ``DatasourceError`` of a stable
``kind``; the message never carries a password or a URL with one (``scrub`` removes a
password that a driver message might echo back, as defence in depth).
"""

from __future__ import annotations

from typing import Literal

ErrorKind = Literal[
    "bad_url",  # the URL cannot be parsed or names an unsupported datasource
    "unreachable",  # host down, refused, unknown host, locked file
    "auth",  # wrong user or password
    "unknown_database",  # no such database, or no such file
    "not_a_database",  # the file exists but is not a database of that kind
    "permission",  # no right to connect or to read that object
    "timeout",  # a statement ran past the statement timeout
    "read_only",  # a write refused by the read-only session
    "query",  # any other refusal of a statement
]


class DatasourceError(Exception):
    """A datasource refused: ``str(exc)`` is one line, safe to print and to log."""

    def __init__(self, message: str, *, kind: ErrorKind = "query") -> None:
        self.kind: ErrorKind = kind
        self.message = one_line(message)
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"DatasourceError(kind={self.kind!r}, message={self.message!r})"


def one_line(text: str, limit: int = 300) -> str:
    """The first line of a driver message, trimmed (drivers add hints and context lines)."""
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return first if len(first) <= limit else first[: limit - 1] + "…"


def scrub(text: str, secret: str | None) -> str:
    """``text`` with ``secret`` (a password) replaced, whatever echoed it back."""
    return text.replace(secret, "***") if secret else text
