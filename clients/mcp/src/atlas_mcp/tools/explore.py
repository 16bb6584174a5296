"""``explore``: read the semantic layer's files as upstream Atlas's tool does, with a few
shell-like read commands. Nothing is executed: the command is parsed here and answered from
the gateway's file list and raw files, so no shell, no path outside the layer."""

from __future__ import annotations

import asyncio
import fnmatch
import re
import shlex
from dataclasses import dataclass

from atlas_mcp.errors import ToolFailure
from atlas_mcp.gateway import segment
from atlas_mcp.tools.base import Call, ToolSpec
from atlas_mcp.tools.schemas import ExploreInput, ExploreOutput

DESCRIPTION = (
    "Explore the semantic layer's YAML files (catalog.yml, glossary.yml, entities/*.yml, "
    "metrics/*.yml) with read commands: `ls [dir]`, `cat <file>`, `head [-n N] <file>`, "
    "`grep [-i] [-l] <pattern> [path]`, `find [dir] [-name GLOB]`. Start with 'cat catalog.yml'. "
    "Errors: unsupported_command, invalid_arguments, not_found."
)
MAX_OUTPUT = 60_000


@dataclass(frozen=True)
class Parsed:
    verb: str
    flags: frozenset[str]
    args: list[str]
    lines: int = 10


async def run(call: Call, args: ExploreInput) -> ExploreOutput:
    parsed = parse(args.command)
    handler = {"ls": _ls, "find": _find, "cat": _cat, "head": _cat, "grep": _grep}[parsed.verb]
    output = await handler(call, parsed)
    return ExploreOutput(command=args.command, output=output[:MAX_OUTPUT])


def parse(command: str) -> Parsed:
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise ToolFailure("invalid_arguments", f"Cannot parse the command: {exc}") from None
    if not words or words[0] not in ("ls", "find", "cat", "head", "grep"):
        raise ToolFailure(
            "unsupported_command",
            "Only ls, cat, head, grep and find are supported (read-only, no pipes)",
        )
    if any(w in ("|", ";", "&&", "||", ">", ">>", "<") for w in words):
        raise ToolFailure("unsupported_command", "One command at a time: no pipes or redirects")
    return _split(words[0], words[1:])


def _split(verb: str, rest: list[str]) -> Parsed:
    """Flags (single letters, combinable: -ri), ``head -n N``, ``find -name GLOB``, args."""
    flags: set[str] = set()
    args: list[str] = []
    lines, i = 10, 0
    while i < len(rest):
        word = rest[i]
        if verb == "head" and word == "-n" and i + 1 < len(rest) and rest[i + 1].isdigit():
            lines, i = int(rest[i + 1]), i + 2
        elif verb == "find" and word == "-name":
            args += rest[i : i + 2]
            i += 2
        elif word.startswith("-") and len(word) > 1:
            flags.update(word[1:])
            i += 1
        else:
            args.append(word)
            i += 1
    return Parsed(verb, frozenset(flags), args, lines)


async def _files(call: Call) -> list[str]:
    body = await call.gateway.get(call.key, "/api/v1/semantic/files")
    return [str(f["path"]) for f in body.get("files", []) if isinstance(f, dict)]


def _under(paths: list[str], where: str) -> list[str]:
    prefix = where.strip("/").removeprefix("./")
    if prefix in ("", "."):
        return paths
    return [p for p in paths if p == prefix or p.startswith(prefix + "/")]


async def _ls(call: Call, parsed: Parsed) -> str:
    where = (parsed.args or [""])[0].strip("/").removeprefix("./")
    found = _under(await _files(call), where)
    if not found:
        raise ToolFailure("not_found", f"ls: {where}: no such file or directory")
    depth = len(where.split("/")) if where not in ("", ".") else 0
    names = sorted(
        {
            "/".join(p.split("/")[depth : depth + 1]) + ("/" if p.count("/") > depth else "")
            for p in found
        }
    )
    return "\n".join(names)


async def _find(call: Call, parsed: Parsed) -> str:
    args = parsed.args
    glob = args[args.index("-name") + 1] if "-name" in args[:-1] else None
    where = next((a for a in args if a != "-name" and a != glob), "")
    found = _under(await _files(call), where)
    if glob:
        found = [p for p in found if fnmatch.fnmatch(p.rsplit("/", 1)[-1], glob)]
    return "\n".join(sorted(found))


async def read(call: Call, path: str) -> str:
    clean = path.strip("/").removeprefix("./")
    parts = [segment(p) for p in clean.split("/")]
    if len(parts) > 2 or ".." in clean.split("/"):
        raise ToolFailure("not_found", f"{path}: no such file in the semantic layer")
    return await call.gateway.text(call.key, "/api/v1/semantic/raw/" + "/".join(parts))


async def _cat(call: Call, parsed: Parsed) -> str:
    if not parsed.args:
        raise ToolFailure("invalid_arguments", f"{parsed.verb}: name a file, e.g. catalog.yml")
    texts = await asyncio.gather(*(read(call, p) for p in parsed.args))
    if parsed.verb == "head":
        texts = ["\n".join(t.splitlines()[: parsed.lines]) for t in texts]
    return "\n".join(texts)


async def _grep(call: Call, parsed: Parsed) -> str:
    if not parsed.args:
        raise ToolFailure("invalid_arguments", "grep: give a pattern")
    pattern, where = parsed.args[0], (parsed.args[1] if len(parsed.args) > 1 else "")
    try:
        regex = re.compile(pattern, re.IGNORECASE if "i" in parsed.flags else 0)
    except re.error as exc:
        raise ToolFailure("invalid_arguments", f"grep: bad pattern: {exc}") from None
    paths = _under(await _files(call), where)
    texts = await asyncio.gather(*(read(call, p) for p in paths))
    hits: list[str] = []
    for path, text in zip(paths, texts, strict=True):
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if regex.search(line)]
        if lines and "l" in parsed.flags:
            hits.append(path)
        else:
            hits += [f"{path}:{n}:{line}" for n, line in lines]
    return "\n".join(hits)


TOOL = ToolSpec(
    "explore",
    "Explore the semantic layer",
    DESCRIPTION,
    ExploreInput,
    ExploreOutput,
    run,
    open_world=False,
)
