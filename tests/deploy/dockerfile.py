"""A small Dockerfile reader: stages, their instructions, and what a target inherits.

Enough of the Dockerfile grammar for the repository's own file: comment lines, line
continuations, global ARGs in FROM, exec-form (JSON) CMD / HEALTHCHECK, `ENV k=v ...`.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

_FROM = re.compile(r"^(?:--\S+\s+)*(?P<image>\S+)(?:\s+AS\s+(?P<name>\S+))?$", re.IGNORECASE)
_ARG_REF = re.compile(r"\$\{(\w+)\}|\$(\w+)")


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args_of(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


@dataclass
class Copy:
    sources: list[str]
    dest: str
    from_stage: str | None


def logical_lines(text: str) -> list[str]:
    """Instructions one per line: comment lines dropped, continuations joined."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#"):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = (pending + raw).strip()
        pending = ""
        if line:
            lines.append(line)
    assert not pending.strip(), "Dockerfile ends inside a line continuation"
    return lines


def parse(text: str) -> dict[str, Stage]:
    """Stages by name (an unnamed stage gets its index), in file order."""
    global_args: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for line in logical_lines(text):
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            match = _FROM.match(args)
            assert match, f"unreadable FROM: {line}"
            image = _ARG_REF.sub(lambda m: global_args.get(m[1] or m[2], m[0]), match["image"])
            current = Stage(match["name"] or str(len(stages)), image)
            stages[current.name] = current
        elif current is None:
            assert keyword == "ARG", f"{keyword} before the first FROM"
            name, _, default = args.partition("=")
            global_args[name] = default
        else:
            current.instructions.append((keyword, args))
    return stages


def chain(stages: dict[str, Stage], target: str) -> list[Stage]:
    """The target and the stages it is built FROM, root first."""
    result = [stages[target]]
    while result[0].base in stages:
        result.insert(0, stages[result[0].base])
    return result


def final_stages(stages: dict[str, Stage]) -> list[str]:
    """Stages no other stage builds on or copies from: the images worth building."""
    used = {s.base for s in stages.values()}
    used |= {c.from_stage for s in stages.values() for c in copies(s) if c.from_stage}
    return [name for name in stages if name not in used]


def copies(stage: Stage) -> list[Copy]:
    result = []
    for args in stage.args_of("COPY") + stage.args_of("ADD"):
        words = shlex.split(args)
        flags = [w for w in words if w.startswith("--")]
        paths = [w for w in words if not w.startswith("--")]
        source_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        result.append(Copy(paths[:-1], paths[-1], source_stage))
    return result


def env(stages: dict[str, Stage], target: str) -> dict[str, str]:
    """ENV in force in the target (inherited through its FROM chain)."""
    values: dict[str, str] = {}
    for stage in chain(stages, target):
        for args in stage.args_of("ENV"):
            for word in shlex.split(args):
                name, sep, value = word.partition("=")
                assert sep, f"use the ENV key=value form: {args}"
                values[name] = value
    return values


def last(stages: dict[str, Stage], target: str, keyword: str) -> str | None:
    """The last `keyword` instruction's arguments in force in the target."""
    found = None
    for stage in chain(stages, target):
        for args in stage.args_of(keyword):
            found = args
    return found


def exec_form(args: str) -> list[str]:
    """A JSON exec-form argument list (CMD ["x"]); shell form is refused."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def healthcheck_command(args: str) -> list[str]:
    """The command of `HEALTHCHECK [--opt=v ...] CMD [...]`."""
    options, sep, command = args.partition("CMD ")
    assert sep and all(o.startswith("--") for o in options.split()), args
    return exec_form(command)


def load(path: Path) -> dict[str, Stage]:
    return parse(path.read_text())
