"""``atlas login`` / ``atlas logout``: a managed-mode session kept in the config directory."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from atlas_sdk import APIConnectionError, APIError, Atlas, NotFoundError
from rich.markup import escape

from atlas_cli import config, render
from atlas_cli.errors import describe, fail, handles_errors
from atlas_cli.settings import current, normalize


@handles_errors
def login(
    ctx: typer.Context,
    email: Annotated[str | None, typer.Option(help="Your email (asked when not given).")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Sign in to a managed Atlas server; the session is saved for the next commands."""
    settings = current(ctx)
    url, _ = settings.target()
    email = email or typer.prompt("Email")
    password = _password(password_stdin)
    with Atlas(
        url, api_key="", timeout=settings.timeout, max_retries=settings.max_retries
    ) as client:
        try:
            session = client.auth.sign_in(email, password)
        except NotFoundError:
            raise fail(
                f"{url} has no sign-in: it is not in managed mode. Use an API key "
                "(ATLAS_API_KEY or --api-key) instead.",
            ) from None
    saved = config.Credentials(normalize(url), session.token, session.user.email, session.user.role)
    path = config.save(settings.config_dir, saved)
    role = f" ({escape(session.user.role)})" if session.user.role else ""
    render.console.print(f"Signed in to {escape(url)} as {escape(session.user.email)}{role}")
    render.err_console.print(f"[dim]Session saved in {escape(str(path))}[/]")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True)
    return password


def logout(ctx: typer.Context) -> None:
    """End the saved session on the server and forget it here."""
    settings = current(ctx)
    saved = settings.credentials()
    if saved is None:
        render.console.print("Not logged in.")
        return
    try:
        with Atlas(
            saved.url, api_key=saved.token, timeout=settings.timeout, max_retries=0
        ) as client:
            client.auth.sign_out()
    except (APIConnectionError, APIError) as error:
        # Forget it here all the same: a session that cannot be ended expires on its own.
        reason = escape(describe(error)[0])
        render.err_console.print(
            f"[yellow]Warning:[/] the session was not ended on the server: {reason}"
        )
    config.delete(settings.config_dir)
    render.console.print(f"Logged out of {escape(saved.url)}")
