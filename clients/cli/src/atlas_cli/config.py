"""Where ``atlas login`` keeps the session: one JSON file, readable by its owner only.

The file is ``credentials.json`` in the config directory (``--config-dir`` /
``ATLAS_CONFIG_DIR``, else the platform's: ``~/.config/atlas`` on Linux). It is written to a
temporary file created with mode 0600 and renamed over the old one, so it is never readable by
others, not even for a moment, and never half-written.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import typer

APP_NAME = "atlas"
FILE_NAME = "credentials.json"


def default_config_dir() -> Path:
    return Path(typer.get_app_dir(APP_NAME))


@dataclass(frozen=True)
class Credentials:
    """A managed-mode session: the server it is for and its bearer token."""

    url: str
    token: str
    email: str
    role: str = ""

    def __repr__(self) -> str:
        return f"Credentials(url={self.url!r}, email={self.email!r}, token=****)"


def credentials_path(config_dir: Path) -> Path:
    return config_dir / FILE_NAME


def load(config_dir: Path) -> Credentials | None:
    """The saved session, or None when there is none (or the file is not ours to read)."""
    try:
        data = json.loads(credentials_path(config_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("token") or not data.get("url"):
        return None
    return Credentials(
        str(data["url"]), str(data["token"]), str(data.get("email", "")), str(data.get("role", ""))
    )


def save(config_dir: Path, credentials: Credentials) -> Path:
    """Write the session with mode 0600 (the directory 0700), atomically."""
    config_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = credentials_path(config_dir)
    fd, tmp = tempfile.mkstemp(prefix=".credentials-", dir=config_dir)  # mkstemp: mode 0600
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(credentials), f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def delete(config_dir: Path) -> bool:
    """Remove the saved session; False when there was none."""
    try:
        credentials_path(config_dir).unlink()
    except FileNotFoundError:
        return False
    return True
