"""Name rules for guessing foreign keys: which column names point at which table's key."""

from __future__ import annotations

import re

GENERIC_KEYS = frozenset({"id", "key", "code", "uuid", "pk"})
_KEY_SUFFIXES = ("id", "key", "fk", "ref", "code")
_PREFIX = re.compile(r"^([a-z]{1,3})_(.+)$", re.IGNORECASE)  # TPC-H: o_custkey, ps_partkey


def norm(name: str) -> str:
    """``Customer_Id``, ``customerid`` and ``CustomerId`` all become ``customerid``."""
    return name.replace("_", "").replace("-", "").lower()


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 2:
        return word[:-1]
    return word


def stripped(name: str) -> str | None:
    """``o_custkey`` -> ``custkey``: the name without a short table prefix (TPC-H style)."""
    match = _PREFIX.match(name)
    return norm(match.group(2)) if match else None


def entity_of(column: str) -> str | None:
    """``customer_id`` / ``CustomerId`` / ``customer_key`` -> ``customer``; None otherwise."""
    name = norm(column)
    for suffix in _KEY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return singular(name[: -len(suffix)])
    return None


def match_strength(column: str, table: str, key: str) -> int:
    """How surely ``column`` names ``table.key``: 3 same specific name (``CustomerId`` ->
    ``Customer.CustomerId``), 2 entity + key suffix (``customer_id`` -> ``customers.id``),
    1 same name once prefixes are stripped (``o_custkey`` -> ``customer.c_custkey``), 0 none."""
    col, ref = norm(column), norm(key)
    if col == ref and ref not in GENERIC_KEYS:
        return 3
    entity = entity_of(column)
    if entity is not None and entity == singular(norm(table)):
        key_entity = entity_of(key)
        if ref in GENERIC_KEYS or key_entity == entity or col == ref:
            return 2
    bare_col, bare_key = stripped(column) or col, stripped(key) or ref
    if (
        (stripped(column) or stripped(key))
        and bare_col == bare_key
        and bare_key not in GENERIC_KEYS
    ):
        return 1
    return 0
