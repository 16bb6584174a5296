"""``atlas mcp init``: the snippet, and ``--write`` merging into a client's config file."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.stack import BIN

KEY = "atlas_sk_0123456789abcdef0123456789abcdef"
OTHER = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}


def atlas(*args: str, key: str = KEY) -> subprocess.CompletedProcess[str]:
    env = {
        "ATLAS_URL": "http://atlas.example:8000",
        "ATLAS_API_KEY": key,
        "ATLAS_CONFIG_DIR": "/nonexistent",
        "PATH": str(BIN),
    }
    return subprocess.run(
        [str(BIN / "atlas"), "mcp", "init", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_snippet_names_the_server_and_never_prints_the_key() -> None:
    done = atlas("--client", "claude-desktop")
    assert done.returncode == 0, done.stderr
    server = json.loads(done.stdout)["mcpServers"]["atlas"]
    assert server["args"] == ["mcp"] and server["command"].endswith("atlas")
    assert server["env"]["ATLAS_URL"] == "http://atlas.example:8000"
    assert KEY not in done.stdout


@pytest.mark.parametrize(
    ("client", "section"),
    [
        ("claude-desktop", "mcpServers"),
        ("cursor", "mcpServers"),
        ("claude-code", "mcpServers"),
        ("vscode", "servers"),
    ],
)
def test_write_keeps_other_servers_backs_up_and_is_private(
    tmp_path: Path, client: str, section: str
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({section: {"memory": OTHER}, "theme": "dark"}))
    config.chmod(0o644)
    done = atlas("--client", client, "--write", "--config", str(config))
    assert done.returncode == 0, done.stderr
    written = json.loads(config.read_text())
    assert written["theme"] == "dark" and written[section]["memory"] == OTHER
    atlas_entry = written[section]["atlas"]
    assert atlas_entry["env"] == {"ATLAS_URL": "http://atlas.example:8000", "ATLAS_API_KEY": KEY}
    assert (atlas_entry.get("type") == "stdio") == (client == "vscode")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    backup = config.with_name("config.json.bak")
    assert json.loads(backup.read_text()) == {section: {"memory": OTHER}, "theme": "dark"}
    assert KEY not in done.stdout


def test_write_refuses_a_broken_config_and_leaves_it_alone(tmp_path: Path) -> None:
    config = tmp_path / "mcp.json"
    config.write_text("{not json")
    done = atlas("--client", "cursor", "--write", "--config", str(config))
    assert done.returncode == 1 and "cannot update" in done.stderr
    assert config.read_text() == "{not json"


def test_write_creates_a_missing_file(tmp_path: Path) -> None:
    config = tmp_path / "new" / "mcp.json"
    assert atlas("--client", "cursor", "--write", "--config", str(config)).returncode == 0
    assert json.loads(config.read_text())["mcpServers"]["atlas"]["args"] == ["mcp"]
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
