"""``atlas mcp init``: the configuration snippet of an MCP client, and merging it into the
client's own config file.

Where each client keeps its servers (from each client's documentation):

    claude-desktop  claude_desktop_config.json ("mcpServers"): ~/Library/Application Support/
                    Claude on macOS, %APPDATA%\\Claude on Windows, ~/.config/Claude elsewhere
    cursor          ~/.cursor/mcp.json ("mcpServers")
    claude-code     ~/.claude.json ("mcpServers", the user scope of `claude mcp add`)
    vscode          the user profile's mcp.json ("servers", with "type": "stdio"):
                    Code/User/mcp.json under the same folders as Claude Desktop's

Writing keeps every other server and key of the file, copies the old file to ``<file>.bak``
first, and leaves the file with mode 0600 (it holds an API key).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Literal

Client = Literal["claude-desktop", "cursor", "claude-code", "vscode"]
CLIENTS: tuple[Client, ...] = ("claude-desktop", "cursor", "claude-code", "vscode")
SERVER_NAME = "atlas"
KEY_PLACEHOLDER = "<your Atlas API key>"


def _app_support() -> Path:
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", home / "AppData" / "Roaming"))
    return home / ".config"


def config_path(client: Client) -> Path:
    match client:
        case "claude-desktop":
            return _app_support() / "Claude" / "claude_desktop_config.json"
        case "cursor":
            return Path.home() / ".cursor" / "mcp.json"
        case "claude-code":
            return Path.home() / ".claude.json"
        case "vscode":
            return _app_support() / "Code" / "User" / "mcp.json"


def entry(client: Client, url: str, key: str | None) -> dict[str, Any]:
    """The server's entry: ``atlas mcp`` over stdio with the gateway and key in its env."""
    server: dict[str, Any] = {
        "command": shutil.which("atlas") or "atlas",
        "args": ["mcp"],
        "env": {"ATLAS_URL": url, "ATLAS_API_KEY": key or KEY_PLACEHOLDER},
    }
    return {"type": "stdio", **server} if client == "vscode" else server


def section(client: Client) -> str:
    return "servers" if client == "vscode" else "mcpServers"


def snippet(client: Client, url: str, key: str | None) -> dict[str, Any]:
    return {section(client): {SERVER_NAME: entry(client, url, key)}}


def merge(path: Path, client: Client, url: str, key: str | None) -> Path | None:
    """Add (or replace) the ``atlas`` server in ``path``; returns the backup, if any."""
    current = _load(path)
    servers = current.setdefault(section(client), {})
    if not isinstance(servers, dict):
        raise ValueError(f"{path}: {section(client)!r} is not an object")
    servers[SERVER_NAME] = entry(client, url, key)
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        shutil.copy2(path, backup)
        os.chmod(backup, 0o600)
    _write(path, current)
    return backup


def _load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    if not text.strip():
        return {}
    data = json.loads(text)  # a broken file is the user's: refuse, never overwrite it
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a JSON object")
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    """Atomically, created 0600 (mkstemp) so the key is never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
