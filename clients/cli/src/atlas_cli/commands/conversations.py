"""``atlas conversations list|show|delete``."""

from __future__ import annotations

from typing import Annotated

import typer
from atlas_sdk import Conversation
from rich.markup import escape

from atlas_cli import render
from atlas_cli.errors import handles_errors
from atlas_cli.settings import current

app = typer.Typer(help="Your saved conversations.", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON, nothing else.")]
IdArgument = Annotated[str, typer.Argument(help="The conversation's id.")]


@app.command("list")
@handles_errors
def list_conversations(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 20,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many.")] = 0,
    starred: Annotated[bool, typer.Option("--starred", help="Only starred ones.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List conversations, most recent first."""
    with current(ctx).client() as client:
        page = client.conversations.list(limit=limit, offset=offset, starred=starred or None)
    if as_json:
        render.print_json(
            {
                "conversations": [_conversation(c) for c in page.conversations],
                "total": page.total,
            }
        )
        return
    rows = [
        (c.id, c.title, c.surface, "*" if c.starred else "", c.updated_at or c.created_at)
        for c in page.conversations
    ]
    render.console.print(render.table(["id", "title", "surface", "starred", "updated"], rows))
    render.console.print(f"[dim]{len(page.conversations)} of {page.total}[/]")


@app.command("show")
@handles_errors
def show(ctx: typer.Context, conversation_id: IdArgument, as_json: JsonOption = False) -> None:
    """Show a conversation and its messages."""
    with current(ctx).client() as client:
        detail = client.conversations.get(conversation_id)
    if as_json:
        messages = [
            {"id": m.id, "role": m.role, "content": m.content, "createdAt": m.created_at}
            for m in detail.messages
        ]
        render.print_json({**_conversation(detail), "messages": messages})
        return
    star = " *" if detail.starred else ""
    render.console.print(f"[bold]{escape(detail.title or detail.id)}[/]{star}")
    for message in detail.messages:
        render.console.print(
            f"\n[bold]{escape(message.role)}[/] [dim]{render.cell(message.created_at)}[/]"
        )
        render.console.print(message.content, markup=False)


@app.command("delete")
@handles_errors
def delete(
    ctx: typer.Context,
    conversation_id: IdArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a conversation."""
    if not yes:
        typer.confirm(f"Delete conversation {conversation_id}?", abort=True)
    with current(ctx).client() as client:
        client.conversations.delete(conversation_id)
    render.console.print(f"Deleted conversation {escape(conversation_id)}")


def _conversation(c: Conversation) -> dict[str, object]:
    return {
        "id": c.id,
        "title": c.title,
        "surface": c.surface,
        "starred": c.starred,
        "createdAt": c.created_at,
        "updatedAt": c.updated_at,
    }
