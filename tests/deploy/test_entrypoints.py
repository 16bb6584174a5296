"""What the images run exists: declared console scripts import, set variables are read.

A missing entry-point module or settings module fails here (never skips): an image whose
CMD cannot import, or whose environment names a setting nothing reads, is broken.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk import environment_variables as otel_environment

from tests.deploy import dockerfile
from tests.deploy.layout import PROCESSES
from tests.deploy.workspace import Script, scripts, settings_env_names

BIN = Path(sys.executable).parent


@pytest.mark.parametrize("name", sorted(scripts()))
def test_declared_console_script_target_is_importable(name: str) -> None:
    script = scripts()[name]
    problem: str | None = None
    try:
        module = importlib.import_module(script.module)
    except ModuleNotFoundError as exc:
        problem = str(exc)
    if problem is not None:
        pytest.fail(f"{name} = {script.target!r} does not import: {problem}", pytrace=False)
    assert callable(getattr(module, script.function, None)), f"{script.target} is not callable"


def test_every_image_and_compose_command_is_a_declared_script(
    targets: dict[str, Script], atlas_services: dict[str, Any]
) -> None:
    for name, service in atlas_services.items():
        command = service.get("command")
        if command is not None:
            argv = command.split() if isinstance(command, str) else command
            assert argv[0] == targets[service["build"]["target"]].name, name
    assert {s.name for s in targets.values()} <= set(scripts())


# The OpenTelemetry SDK reads its own standard variables (OTEL_EXPORTER_OTLP_ENDPOINT, ...).
OTEL_SDK_VARIABLES = frozenset(n for n in dir(otel_environment) if n.startswith("OTEL_"))


def _unread(names: set[str], package: str) -> set[str]:
    known = settings_env_names(package) | OTEL_SDK_VARIABLES
    assert known, f"{package} has no pydantic-settings module (settings.py) yet"
    return {n for n in names if n.upper() not in known}


@pytest.mark.parametrize("service", sorted(PROCESSES))
def test_compose_environment_is_read_by_the_process(
    service: str,
    compose: dict[str, Any],
    stages: dict[str, dockerfile.Stage],
    targets: dict[str, Script],
) -> None:
    spec = compose["services"][service]
    target = spec["build"]["target"]
    image_env = {k for k in dockerfile.env(stages, target) if k.startswith("ATLAS_")}
    unread = _unread(set(spec["environment"]) | image_env, targets[target].package)
    assert not unread, f"{service} sets variables its settings never read: {sorted(unread)}"


def test_unread_variable_is_caught() -> None:
    assert _unread({"ATLAS_ENV", "ATLAS_GATWAY_PORT"}, "atlas_common") == {"ATLAS_GATWAY_PORT"}
    # The SDK's own names pass; a misspelt one does not.
    names = {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPIONT"}
    assert _unread(names, "atlas_common") == {"OTEL_EXPORTER_OTLP_ENDPIONT"}


def _service_scripts() -> list[Script]:
    return [s for s in scripts().values() if s.member.parent.name == "services"]


def test_a_bad_setting_stops_every_service_process_with_one_line() -> None:
    """Every service's console script (workers included) refuses a bad value of a shared
    setting with exit code 2 and one line naming the variable; all are spawned at once."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "BETTER_AUTH"))}
    env["ATLAS_JOB_DELIVERY_LIMIT"] = "0"
    found = _service_scripts()
    assert len(found) >= 6, [s.name for s in found]
    procs = {s.name: subprocess.Popen([str(BIN / s.name)], env=env, cwd="/", text=True,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for s in found}
    for name, proc in procs.items():
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 2, (name, stderr)
        assert stderr.strip().splitlines() == [
            f"{name}: ATLAS_JOB_DELIVERY_LIMIT: Input should be greater than or equal to 1"
        ], name
