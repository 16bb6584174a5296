"""``make up`` prints the gateway's real URL (issue 22: it said port 8000 whatever
``ATLAS_GATEWAY_PORT`` said): the banner line of the Makefile's ``up`` recipe, run as make
would run it, under several host / port settings."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _banner_command() -> list[str]:
    """The ``up`` recipe's banner line, as ``make -n`` expands it (nothing is run)."""
    dry = subprocess.run(["make", "-n", "up", "QUERY_WORKERS=3"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True)
    lines = [line for line in dry.stdout.splitlines() if "atlas_gateway.banner" in line]
    assert len(lines) == 1, dry.stdout
    return shlex.split(lines[0])


@pytest.mark.parametrize(("host", "port", "url"), [
    ("127.0.0.1", "8000", "http://127.0.0.1:8000"),
    ("127.0.0.1", "8123", "http://127.0.0.1:8123"),
    ("0.0.0.0", "9001", "http://127.0.0.1:9001"),
    ("::", "9002", "http://[::1]:9002"),
    ("atlas.internal", "443", "http://atlas.internal:443"),
])
def test_the_banner_names_the_configured_url(host: str, port: str, url: str) -> None:
    env = {**os.environ, "ATLAS_GATEWAY_HOST": host, "ATLAS_GATEWAY_PORT": port}
    done = subprocess.run(_banner_command(), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == (f"Atlas: gateway on {url} with 3 query worker(s); "
                                   "Ctrl-C stops all")
