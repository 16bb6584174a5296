"""Mode selection (Atlas's documented order) and the refusals that stop start-up."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from atlas_auth.main import create_app
from atlas_auth.settings import ConfigError
from tests.auth.support import SECRET, make_settings

JWKS = {"ATLAS_AUTH_JWKS_URL": "https://idp.example.test/jwks.json",
        "ATLAS_AUTH_ISSUER": "https://idp.example.test/"}


@pytest.mark.parametrize(("env", "mode"), [
    ({}, "none"),
    ({"ATLAS_API_KEY": "k"}, "simple-key"),
    ({"ATLAS_API_KEY": "k", "BETTER_AUTH_SECRET": SECRET}, "managed"),
    ({"ATLAS_API_KEY": "k", "BETTER_AUTH_SECRET": SECRET, **JWKS}, "byot"),
    ({"ATLAS_AUTH_MODE": "api-key", "ATLAS_API_KEY": "k"}, "simple-key"),
    ({"ATLAS_AUTH_MODE": "Simple-Key", "ATLAS_API_KEY": "k", **JWKS}, "simple-key"),
    ({"ATLAS_AUTH_MODE": "none", "BETTER_AUTH_SECRET": SECRET}, "none"),
    ({"ATLAS_AUTH_MODE": "", "ATLAS_API_KEY": "k"}, "simple-key"),
])
def test_detection_order_and_override(env: dict[str, str], mode: str) -> None:
    assert make_settings(**env).check() == mode


@pytest.mark.parametrize(("env", "variable"), [
    ({"ATLAS_AUTH_MODE": "ldap"}, "ATLAS_AUTH_MODE"),
    ({"ATLAS_AUTH_MODE": "simple-key"}, "ATLAS_API_KEY"),
    ({"ATLAS_API_KEY": "k", "ATLAS_RLS_CLAIMS": "{tenant"}, "ATLAS_RLS_CLAIMS"),
    ({"ATLAS_API_KEY": "k", "ATLAS_RLS_CLAIMS": "[1, 2]"}, "ATLAS_RLS_CLAIMS"),
    ({"ATLAS_AUTH_MODE": "managed"}, "BETTER_AUTH_SECRET"),
    ({"BETTER_AUTH_SECRET": "short"}, "BETTER_AUTH_SECRET"),
    ({"ATLAS_AUTH_JWKS_URL": "https://idp/jwks"}, "ATLAS_AUTH_ISSUER"),
    ({"ATLAS_AUTH_MODE": "byot", "ATLAS_AUTH_ISSUER": "x"}, "ATLAS_AUTH_JWKS_URL"),
    ({"ATLAS_AUTH_JWKS_URL": "file:///etc/passwd", "ATLAS_AUTH_ISSUER": "x"},
     "ATLAS_AUTH_JWKS_URL"),
    ({"BETTER_AUTH_SECRET": SECRET, "ATLAS_ENV": "production",
      "ATLAS_INTERNAL_TOKEN": "t" * 40, "ATLAS_AUTH_ARGON2_MEMORY_KIB": 1024},
     "ATLAS_AUTH_ARGON2_MEMORY_KIB"),
])
def test_bad_configuration_names_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        create_app(make_settings(**env))
    assert str(caught.value).startswith(variable + ":")


def test_the_console_script_stops_with_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "BETTER_AUTH"))}
    result = subprocess.run(
        [sys.executable, "-c", "from atlas_auth.main import run; run()"],
        env={**env, "ATLAS_AUTH_MODE": "byot", "ATLAS_AUTH_JWKS_URL": "https://idp/jwks"},
        capture_output=True, text=True, timeout=60, cwd="/")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["atlas-auth: ATLAS_AUTH_ISSUER: required in byot mode"]


def test_invalid_role_value_is_refused_by_settings() -> None:
    with pytest.raises(ValueError, match="ATLAS_API_KEY_ROLE"):
        make_settings(ATLAS_API_KEY="k", ATLAS_API_KEY_ROLE="owner")
