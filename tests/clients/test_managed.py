"""Managed mode: ``atlas login`` / ``logout`` (a 0600 session file), and ``atlas keys``."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from atlas_sdk import Atlas, AuthenticationError
from typer.testing import Result

from tests.clients.cli import atlas
from tests.clients.conftest import ADMIN, Running


def _login(url: str, config_dir: Path, password: str = ADMIN["password"]) -> Result:
    return atlas("login", url=url, config_dir=config_dir, input=f"{ADMIN['email']}\n{password}\n")


def test_login_saves_a_0600_session_that_the_next_commands_use(
    managed_stack: Running, config_dir: Path
) -> None:
    r = _login(managed_stack.url, config_dir)
    assert r.exit_code == 0, r.output
    assert f"Signed in to {managed_stack.url} as {ADMIN['email']} (admin)" in r.stdout
    path = config_dir / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    token = json.loads(path.read_text())["token"]
    assert token and token not in r.output
    r = atlas("tables", url=managed_stack.url, config_dir=config_dir)
    assert r.exit_code == 0 and "users" in r.stdout

    r = atlas("logout", url=managed_stack.url, config_dir=config_dir)
    assert r.exit_code == 0 and "Logged out" in r.stdout
    assert not path.exists()
    with pytest.raises(AuthenticationError):  # ended on the server, not only forgotten here
        Atlas(managed_stack.url, api_key=token).tables()
    r = atlas("tables", url=managed_stack.url, config_dir=config_dir)
    assert r.exit_code == 4


def test_a_wrong_password_saves_nothing(managed_stack: Running, config_dir: Path) -> None:
    r = _login(managed_stack.url, config_dir, password="not the password")
    assert r.exit_code == 4 and "Not authenticated" in r.stderr
    assert not (config_dir / "credentials.json").exists()


def test_login_to_a_server_without_sign_in_says_so(none_stack: Running, config_dir: Path) -> None:
    r = _login(none_stack.url, config_dir)
    assert r.exit_code == 1 and "not in managed mode" in r.stderr


def test_keys_create_list_revoke(managed_stack: Running, config_dir: Path) -> None:
    assert _login(managed_stack.url, config_dir).exit_code == 0
    r = atlas(
        "keys", "create", "ci key", "--role", "viewer", "--json",
        url=managed_stack.url, config_dir=config_dir,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    created = json.loads(r.stdout)
    key, key_id = created["key"], created["id"]
    assert key.startswith("atlas_sk_") and created["role"] == "viewer"
    assert {t.table for t in Atlas(managed_stack.url, api_key=key).tables()} >= {"users"}

    r = atlas("keys", "list", url=managed_stack.url, config_dir=config_dir)
    assert r.exit_code == 0 and key_id in r.stdout and "ci key" in r.stdout
    assert key not in r.stdout  # listed masked
    r = atlas("keys", "revoke", key_id, url=managed_stack.url, config_dir=config_dir)
    assert r.exit_code == 0 and "Revoked" in r.stdout
    with pytest.raises(AuthenticationError):
        Atlas(managed_stack.url, api_key=key).tables()


def test_sdk_sessions(managed_stack: Running) -> None:
    signed_in = Atlas(managed_stack.url, api_key="").auth.sign_in(ADMIN["email"], ADMIN["password"])
    assert signed_in.user.email == ADMIN["email"] and signed_in.token not in repr(signed_in)
    client = Atlas(managed_stack.url, api_key=signed_in.token)
    session = client.auth.get_session()
    assert session is not None and session.user.role == "admin"
    client.auth.sign_out()
    with pytest.raises(AuthenticationError):
        client.tables()
