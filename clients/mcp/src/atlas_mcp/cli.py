"""``atlas mcp`` (a sub-command of the ``atlas`` CLI) and ``atlas-mcp`` (the same, alone).

``atlas`` registers :func:`make_app` with a ``target`` that resolves the gateway and key from
its own flags, the environment and the saved ``atlas login`` session; ``atlas-mcp`` reads
``ATLAS_URL`` / ``ATLAS_API_KEY`` from the environment only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from atlas_mcp import init as client_init

if TYPE_CHECKING:
    from atlas_mcp.settings import McpSettings

Target = Callable[[typer.Context], tuple[str, str | None]]


def _from_env(_ctx: typer.Context) -> tuple[str, str | None]:
    from atlas_mcp.settings import McpSettings

    settings = McpSettings()
    return settings.base_url, settings.key()


def _fail(message: str, code: int) -> typer.Exit:
    sys.stderr.write(f"atlas mcp: {message}\n")
    return typer.Exit(code)


def make_app(target: Target = _from_env) -> typer.Typer:
    app = typer.Typer(
        help="Serve Atlas to MCP clients (Claude Desktop, Cursor, Claude Code, VS Code).",
        invoke_without_command=True,
        pretty_exceptions_show_locals=False,  # locals would show the key
    )

    @app.callback()
    def serve(
        ctx: typer.Context,
        transport: Annotated[
            Literal["stdio", "http"],
            typer.Option(envvar="ATLAS_MCP_TRANSPORT", help="stdio (one client) or http (many)."),
        ] = "stdio",
        host: Annotated[
            str, typer.Option(envvar="ATLAS_MCP_HOST", help="HTTP: address.")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(envvar="ATLAS_MCP_PORT", help="HTTP: port.")] = 8105,
    ) -> None:
        """Serve over stdio (default) or streamable HTTP at /mcp."""
        if ctx.invoked_subcommand is not None:
            return
        from atlas_mcp.settings import McpSettings  # here: `atlas --help` should stay fast

        url, key = target(ctx)
        settings = McpSettings(url=url, api_key=key, transport=transport, host=host, port=port)
        _run(settings)

    @app.command("init")
    def init_command(
        ctx: typer.Context,
        client: Annotated[
            Literal["claude-desktop", "cursor", "claude-code", "vscode"],
            typer.Option("--client", help="Which MCP client to configure."),
        ],
        write: Annotated[
            bool, typer.Option("--write", help="Merge into the client's config file.")
        ] = False,
        config: Annotated[
            Path | None,
            typer.Option(
                "--config", dir_okay=False, help="That config file (default: the client's own)."
            ),
        ] = None,
    ) -> None:
        """Print the client's configuration for Atlas; with --write, add it to its config file."""
        url, key = target(ctx)
        if not write:
            typer.echo(json.dumps(client_init.snippet(client, url, None), indent=2))
            return
        path = config or client_init.config_path(client)
        try:
            backup = client_init.merge(path, client, url, key)
        except (OSError, ValueError) as exc:
            raise _fail(f"cannot update {path}: {exc}", 1) from None
        saved = f" (the old one is {backup})" if backup else ""
        typer.echo(f"Added the 'atlas' server to {path}{saved}. Restart {client} to use it.")
        if not key:
            sys.stderr.write(f"atlas mcp: no API key known: replace ATLAS_API_KEY in {path}\n")

    return app


def _run(settings: McpSettings) -> None:
    # Imported here: the other `atlas` commands should not pay for the MCP SDK's import.
    from atlas_mcp import logs, stdio, streamable

    logs.setup(settings.log_level, json_lines=settings.log_json)
    try:
        if settings.transport == "http":
            streamable.run(settings)
        else:
            stdio.run(settings)
    except stdio.StartupError as exc:
        raise _fail(str(exc), exc.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except OSError as exc:  # e.g. the port is taken: one line, not a traceback
        raise _fail(f"cannot start: {exc}", 1) from None


app = make_app()


def standalone() -> None:
    """The ``atlas-mcp`` console script."""
    app(prog_name="atlas-mcp")
