"""``atlas init`` in-process (Typer's CliRunner) with a clean environment: no datasource, no
provider, unless the test sets one."""

from __future__ import annotations

from pathlib import Path

from atlas_cli.main import app
from typer.testing import CliRunner, Result

_runner = CliRunner()
_CLEAN = (
    "ATLAS_DATASOURCE_URL",
    "ATLAS_DEMO_DB_PATH",
    "ATLAS_PROVIDER",
    "ATLAS_MODEL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_COMPATIBLE_BASE_URL",
    "OPENAI_COMPATIBLE_API_KEY",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
)


def init(*args: str, output: Path | None = None, **env: str) -> Result:
    """``atlas init ARGS [--output OUTPUT]``; ``env`` sets variables for this run only."""
    clean: dict[str, str | None] = {name: None for name in _CLEAN}
    clean |= {"COLUMNS": "200", "NO_COLOR": "1", **env}
    extra = ["--output", str(output)] if output is not None else []
    return _runner.invoke(app, ["init", *args, *extra], env=clean, catch_exceptions=False)


def files(root: Path) -> dict[str, str]:
    """Every file under ``root`` (dotfiles too) and its text."""
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}
