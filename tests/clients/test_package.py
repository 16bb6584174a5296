"""The SDK as a package: its public names, and ``pip install ./clients/python`` on its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import atlas_sdk
import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_all_names_are_exported_and_nothing_else_is_public() -> None:
    """As httpx's test_exported_members: ``__all__`` is the whole public API."""
    public = {name for name in dir(atlas_sdk) if not name.startswith("_")}
    assert public == set(atlas_sdk.__all__) - {"__version__"}
    for name in atlas_sdk.__all__:
        value = getattr(atlas_sdk, name)
        if isinstance(value, type):
            assert value.__module__ == "atlas_sdk", name


def test_the_exception_tree() -> None:
    assert issubclass(atlas_sdk.APITimeoutError, atlas_sdk.APIConnectionError)
    assert issubclass(atlas_sdk.PlanLimitError, atlas_sdk.RateLimitError)
    assert issubclass(atlas_sdk.SessionExpiredError, atlas_sdk.AuthenticationError)
    for name in atlas_sdk.__all__:
        value = getattr(atlas_sdk, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, atlas_sdk.AtlasError), name


_PROBE = """
import importlib.metadata as md, importlib.util, json, pathlib, atlas_sdk
print(json.dumps({
    "all": atlas_sdk.__all__,
    "requires": md.requires("atlas-sdk"),
    "typed": (pathlib.Path(atlas_sdk.__file__).parent / "py.typed").exists(),
    "workspace": [m for m in ("atlas_common", "atlas_gateway", "atlas_cli")
                  if importlib.util.find_spec(m)],
    "file": atlas_sdk.__file__,
}))
"""


@pytest.mark.timeout(300)  # pip reaches PyPI for httpx and hatchling
def test_pip_installs_the_sdk_alone_in_a_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(ROOT / "clients" / "python")],
        check=True, timeout=300, capture_output=True,
    )  # fmt: skip
    probe = subprocess.run(
        [str(python), "-c", _PROBE], check=True, timeout=60, capture_output=True, text=True,
        cwd=tmp_path,
    )  # fmt: skip
    found = json.loads(probe.stdout)
    assert found["all"] == atlas_sdk.__all__
    assert [r.split(">")[0].split("<")[0].strip() for r in found["requires"]] == ["httpx"]
    assert found["typed"] and found["workspace"] == []
    assert found["file"].startswith(str(venv))
