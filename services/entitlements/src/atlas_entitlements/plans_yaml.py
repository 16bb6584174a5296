"""YAML for the plans file: safe loading, duplicate keys refused, lines of dotted places."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

ErrorFactory = Callable[..., Exception]


def parse_yaml(text: str, path: str, error: ErrorFactory) -> tuple[Any, Node | None]:
    """``(data, root node)``; ``error(path, problem, place, line)`` on a problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = f"not valid YAML: {exc.problem or exc.context}"
        raise error(path, problem, "", line) from None
    except yaml.YAMLError as exc:
        raise error(path, f"not valid YAML: {exc}") from None
    if root is None:
        raise error(path, "the file is empty")
    _refuse_duplicates(root, (), path, error)
    return data, root


def line_of(root: Node | None, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest node of ``loc`` that exists (1-based)."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        node = _child(node, part)
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _child(node: Node | None, part: Any) -> Node | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == str(part):
                return value if not isinstance(value, ScalarNode) or value.value else key
    if isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: Node = node.value[part]
        return child
    return None


def _refuse_duplicates(node: Node, loc: tuple[str, ...], path: str, error: ErrorFactory) -> None:
    if isinstance(node, MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                place = ".".join((*loc, name))
                raise error(path, f"duplicate key {name!r}", place, key.start_mark.line + 1)
            seen.add(name)
            _refuse_duplicates(value, (*loc, name), path, error)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _refuse_duplicates(item, (*loc, str(i)), path, error)
