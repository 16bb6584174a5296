"""YAML in and out through ruamel's round trip: a file a person edited keeps its comments,
key order and quoting when ``--force`` merges into it.

Atlas reads the layer with PyYAML (YAML 1.1), where ``yes``, ``no``, ``on`` or ``12:30`` are
not strings: such strings are written quoted.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

_YAML11_NOT_TEXT = re.compile(r"^(?:y|n|yes|no|on|off|true|false|null|~|[-+]?\d+(?::\d+)+)$", re.I)
_FLOW_KEYS = frozenset({"join_columns", "source"})
# Items a flow list ``[a, b]`` holds as they are in both YAML versions; anything else (``?``,
# ``:``, ``,``, brackets) goes in a block list, one item a line.
_FLOW_SAFE = re.compile(r"^[\w][\w .@/+-]*$")


class LayerFileError(Exception):
    """A file of the layer on disk cannot be read: one line naming the file."""


def _yaml() -> YAML:
    yaml = YAML()  # round trip
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def load(path: Path) -> CommentedMap:
    try:
        data = _yaml().load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LayerFileError(f"{path}: cannot read it as YAML ({first})") from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise LayerFileError(f"{path}: expected a mapping at the top level")
    return data


def dump(data: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def to_node(value: Any, key: str = "") -> Any:
    """Plain data -> ruamel nodes: lists of scalars and small mappings in flow style."""
    if isinstance(value, dict):
        node = CommentedMap((k, to_node(v, k)) for k, v in value.items())
        if key in _FLOW_KEYS:
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(to_node(v) for v in value)
        if value and all(_flow_safe(v) for v in value) and len(str(value)) < 90:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and _YAML11_NOT_TEXT.match(value):
        return DoubleQuotedScalarString(value)
    return value


def _flow_safe(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_FLOW_SAFE.match(value)) and not _YAML11_NOT_TEXT.match(value)
    return isinstance(value, int | float | bool) or value is None


def document(data: dict[str, Any], header: list[str]) -> CommentedMap:
    node = to_node(data)
    assert isinstance(node, CommentedMap)
    if header:
        node.yaml_set_start_comment("\n".join(header))
    return node
