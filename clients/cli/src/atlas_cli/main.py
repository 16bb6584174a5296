"""``atlas``: ask Atlas questions from the terminal. The console script is ``app``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from atlas_mcp.cli import make_app as make_mcp_app

from atlas_cli import config
from atlas_cli.commands import ask, audit, auth, conversations, data, keys, schedules
from atlas_cli.init import command as init_command
from atlas_cli.settings import Settings, current

app = typer.Typer(
    name="atlas",
    help="Ask Atlas, your self-hosted AI data analyst, questions about your data.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals would show keys and tokens
)


@app.callback()
def main(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(
            envvar="ATLAS_URL",
            show_envvar=True,
            help="Atlas's address. Default: the server of `atlas login`, else http://127.0.0.1:8000.",
        ),
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option(
            envvar="ATLAS_API_KEY",
            show_envvar=True,
            show_default=False,
            help="An API key (or session token / JWT); default: the `atlas login` session.",
        ),
    ] = None,
    config_dir: Annotated[
        Path | None,
        typer.Option(
            envvar="ATLAS_CONFIG_DIR",
            show_envvar=True,
            file_okay=False,
            help=f"Where `atlas login` keeps the session. Default: {config.default_config_dir()}.",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            envvar="ATLAS_TIMEOUT", show_envvar=True, min=0.1, help="Seconds to wait for Atlas."
        ),
    ] = 180.0,
    max_retries: Annotated[
        int,
        typer.Option(
            envvar="ATLAS_MAX_RETRIES",
            show_envvar=True,
            min=0,
            max=10,
            help="Tries again this many times when Atlas is unreachable, busy or rate limiting.",
        ),
    ] = 2,
) -> None:
    """Settings come from these options, else from the environment."""
    ctx.obj = Settings(
        url=url or None,
        api_key=api_key or None,
        config_dir=config_dir or config.default_config_dir(),
        timeout=timeout,
        max_retries=max_retries,
    )


app.command()(ask.ask)
app.command()(auth.login)
app.command()(auth.logout)
app.add_typer(conversations.app, name="conversations")
app.add_typer(keys.app, name="keys")
app.add_typer(schedules.app, name="schedules")
app.add_typer(audit.app, name="audit")
app.command()(data.tables)
app.command("validate-sql")(data.validate_sql)
app.command()(data.health)
app.command("init")(init_command.init)
app.add_typer(make_mcp_app(lambda ctx: current(ctx).target()), name="mcp")

if __name__ == "__main__":  # pragma: no cover
    app()
