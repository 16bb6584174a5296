"""``atlas keys create|list|revoke``: the workspace's API keys (admins)."""

from __future__ import annotations

from typing import Annotated

import typer
from atlas_sdk import ApiKey
from rich.markup import escape

from atlas_cli import render
from atlas_cli.errors import handles_errors
from atlas_cli.settings import current

app = typer.Typer(help="Your workspace's API keys (admin role).", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON, nothing else.")]
DAY_S = 86_400


@app.command("create")
@handles_errors
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name to recognise the key by.")],
    role: Annotated[
        str | None,
        typer.Option(help="viewer, analyst or admin (default analyst; never above yours)."),
    ] = None,
    expires_in_days: Annotated[
        int | None, typer.Option("--expires-in-days", min=1, max=365, help="Default: never.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a key. Its secret is printed this once: store it now."""
    expires_in = expires_in_days * DAY_S if expires_in_days is not None else None
    with current(ctx).client() as client:
        created = client.keys.create(name, expires_in=expires_in, role=role)
    if as_json:
        render.print_json({**_key(created), "key": created.key})
        return
    render.console.print(render.table(*_key_table([created])))
    render.err_console.print("[bold yellow]The key is shown this once; store it now:[/]")
    render.console.print(created.key, markup=False, highlight=False)


@app.command("list")
@handles_errors
def list_keys(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the workspace's keys (masked: their first characters only)."""
    with current(ctx).client() as client:
        page = client.keys.list()
    if as_json:
        render.print_json({"apiKeys": [_key(k) for k in page.api_keys], "total": page.total})
        return
    render.console.print(render.table(*_key_table(page.api_keys)))


@app.command("revoke")
@handles_errors
def revoke(
    ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's id (see list).")]
) -> None:
    """Revoke a key, at once and everywhere."""
    with current(ctx).client() as client:
        client.keys.revoke(key_id)
    render.console.print(f"Revoked key {escape(key_id)}")


def _key(k: ApiKey) -> dict[str, object]:
    return {
        "id": k.id,
        "name": k.name,
        "start": k.start,
        "prefix": k.prefix,
        "role": k.role,
        "status": k.status,
        "createdAt": k.created_at,
        "expiresAt": k.expires_at,
        "lastRequest": k.last_request,
    }


def _key_table(keys: list[ApiKey]) -> tuple[list[str], list[tuple[object, ...]]]:
    headers = ["id", "name", "key", "role", "status", "created", "expires", "last used"]
    rows: list[tuple[object, ...]] = [
        (
            k.id,
            k.name,
            f"{k.start or ''}…",
            k.role,
            k.status,
            k.created_at,
            k.expires_at or "never",
            k.last_request,
        )
        for k in keys
    ]
    return headers, rows
