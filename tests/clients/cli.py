"""Running ``atlas`` in-process (Typer's CliRunner) with a clean, explicit environment."""

from __future__ import annotations

from pathlib import Path

from atlas_cli.main import app
from typer.testing import CliRunner, Result

_runner = CliRunner()


def atlas(
    *args: str,
    url: str,
    config_dir: Path,
    api_key: str | None = None,
    input: str | None = None,
    max_retries: int = 2,
) -> Result:
    """``atlas ARGS`` with ATLAS_URL / ATLAS_API_KEY / ATLAS_CONFIG_DIR set (or unset) here only."""
    env: dict[str, str | None] = {
        "ATLAS_URL": url,
        "ATLAS_API_KEY": api_key,
        "ATLAS_CONFIG_DIR": str(config_dir),
        "ATLAS_TIMEOUT": None,
        "ATLAS_MAX_RETRIES": str(max_retries),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return _runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)
