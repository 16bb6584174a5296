"""SDK errors -> one clear line on stderr and an exit code a script can test.

Exit codes: 1 an error answer (or an invalid SQL for ``validate-sql``), 2 bad usage (Typer),
3 Atlas unreachable or too slow, 4 not authenticated or not allowed, 5 rate or plan limit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from atlas_sdk import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AtlasError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    PlanLimitError,
    RateLimitError,
    SessionExpiredError,
)
from rich.console import Console
from rich.markup import escape

EXIT_ERROR = 1
EXIT_UNREACHABLE = 3
EXIT_AUTH = 4
EXIT_LIMIT = 5

P = ParamSpec("P")
R = TypeVar("R")

err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    err_console.print(f"[bold red]Error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _seconds(value: float | None) -> str:
    return "a moment" if value is None else f"{value:g} s"


def describe(error: AtlasError) -> tuple[str, int]:
    """The message and exit code for an error."""
    match error:
        case APITimeoutError():
            return (
                f"{error.message}. Raise --timeout (ATLAS_TIMEOUT) for slow answers.",
                EXIT_UNREACHABLE,
            )
        case APIConnectionError():
            hint = "Is Atlas running there? Set ATLAS_URL or pass --url."
            return f"{error.message}. {hint}", EXIT_UNREACHABLE
        case SessionExpiredError():
            return "Your session has expired: run `atlas login` again.", EXIT_AUTH
        case AuthenticationError():
            hint = "Set ATLAS_API_KEY (or --api-key), or run `atlas login` on a managed server."
            return f"Not authenticated (401 {error.code}): {error.message}. {hint}", EXIT_AUTH
        case PermissionDeniedError():
            return f"Permission denied (403 {error.code}): {error.message}", EXIT_AUTH
        case PlanLimitError():
            when = f" Resets in {_seconds(error.retry_after)}." if error.retry_after else ""
            return f"Plan limit reached (429 {error.code}): {error.message}.{when}", EXIT_LIMIT
        case RateLimitError():
            wait = _seconds(error.retry_after)
            return f"Rate limited (429): {error.message}. Try again in {wait}.", EXIT_LIMIT
        case NotFoundError():
            return f"Not found: {error.message}", EXIT_ERROR
        case APIError():
            status = f"{error.status_code} " if error.status_code else ""
            return f"{error.message} ({status}{error.code})", EXIT_ERROR
    return error.message, EXIT_ERROR


def handles_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command: an SDK error becomes a message on stderr and an exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except AtlasError as error:
            message, code = describe(error)
            raise fail(message, code) from None

    return wrapper
