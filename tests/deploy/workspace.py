"""What the packaging is checked against: the uv workspace, its console scripts, its settings."""

from __future__ import annotations

import importlib
import importlib.util
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Script:
    name: str  # the console script, e.g. atlas-gateway
    target: str  # module:function
    distribution: str  # the member's project name, e.g. atlas-gateway
    member: Path  # the member's directory

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]

    @property
    def function(self) -> str:
        return self.target.partition(":")[2]

    @property
    def package(self) -> str:
        return self.module.partition(".")[0]


def _toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


@cache
def members() -> tuple[Path, ...]:
    """Workspace member directories, from the root pyproject's globs."""
    patterns = _toml(ROOT / "pyproject.toml")["tool"]["uv"]["workspace"]["members"]
    found = {p for pattern in patterns for p in ROOT.glob(pattern)}
    return tuple(sorted(p for p in found if (p / "pyproject.toml").exists()))


@cache
def scripts() -> dict[str, Script]:
    """Every [project.scripts] entry of every member, by script name."""
    result: dict[str, Script] = {}
    for member in members():
        project = _toml(member / "pyproject.toml")["project"]
        for name, target in project.get("scripts", {}).items():
            assert name not in result, f"{name} declared twice"
            result[name] = Script(name, target, project["name"], member)
    return result


def _field_env_names(cls: type[BaseSettings]) -> set[str]:
    prefix = cls.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, info in cls.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, str):
            names.add(alias)
        elif isinstance(alias, AliasChoices):
            names |= {c for c in alias.choices if isinstance(c, str)}
        else:
            names.add(info.alias or prefix + name)
    return {n.upper() for n in names}


@cache
def settings_env_names(package: str) -> frozenset[str]:
    """Environment names read by the pydantic-settings classes of `package`'s settings.py files.

    Empty when the package has no settings module yet (callers fail on that).
    """
    spec = importlib.util.find_spec(package)
    assert spec and spec.submodule_search_locations, f"{package} is not installed"
    root = Path(next(iter(spec.submodule_search_locations)))
    names: set[str] = set()
    for path in sorted(root.rglob("settings.py")):
        parts = path.relative_to(root).with_suffix("").parts
        module = importlib.import_module(".".join((package, *parts)))
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseSettings):
                names |= _field_env_names(value)
    return frozenset(names)


_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<default>[^}]*))?\}")


def interpolate(value: str, environ: dict[str, str] | None = None) -> str:
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR-default} and $$, against `environ`."""
    environ = environ or {}

    def replace(match: re.Match[str]) -> str:
        name, op, default = match["name"], match["op"], match["default"]
        if name in environ and (environ[name] or op not in (":-", ":?")):
            return environ[name]
        return default if op in (":-", "-") else ""

    return _INTERPOLATION.sub(replace, value.replace("$$", "\0")).replace("\0", "$")


def interpolated_names_without_default(text: str) -> list[str]:
    return [m["name"] for m in _INTERPOLATION.finditer(text) if m["op"] not in (":-", "-")]


def _ignore_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    for token in re.split(r"(\*\*/?|\*|\?)", pattern.strip("/")):
        if token.startswith("**"):
            out += "(?:.*/)?" if token.endswith("/") else ".*"
        elif token == "*":
            out += "[^/]*"
        elif token == "?":
            out += "[^/]"
        else:
            out += re.escape(token)
    return re.compile(out + r"\Z")


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore `patterns` keep `path` (or a parent folder) out of the context."""
    parts = Path(path).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for raw in patterns:
        negate = raw.startswith("!")
        regex = _ignore_regex(raw.lstrip("!"))
        if any(regex.match(c) for c in candidates):
            ignored = not negate
    return ignored


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]
