"""Reading Atlas's role and workspace out of a verified JWT payload.

Claim paths are dot-separated (``app_metadata.role``), but namespaced claim names contain dots
themselves (``https://example.com/claims.atlas.role``): at each level the longest key present
wins, so both forms work.
"""

from __future__ import annotations

from typing import Any

from atlas_common.principal import ROLE_RANK, Role

_DEFAULT_ROLE_CLAIMS = ("role", "atlas_role")
_BY_RANK: dict[int, Role] = {0: "viewer", 1: "analyst", 2: "admin"}


def claim_at(payload: dict[str, Any], path: str) -> Any:
    """The value at ``path``, or None."""
    parts = path.split(".")
    node: Any = payload
    while parts:
        if not isinstance(node, dict):
            return None
        for size in range(len(parts), 0, -1):
            key = ".".join(parts[:size])
            if key in node:
                node, parts = node[key], parts[size:]
                break
        else:
            return None
    return node


def _as_role(value: Any) -> Role | None:
    if isinstance(value, str) and value.lower() in ROLE_RANK:
        return value.lower()  # type: ignore[return-value]
    if isinstance(value, list):
        ranks = [ROLE_RANK[r] for r in map(_as_role, value) if r is not None]
        return _BY_RANK[max(ranks)] if ranks else None
    return None


def role_from(payload: dict[str, Any], role_claim: str | None) -> Role:
    """The configured claim when set; else ``role`` then ``atlas_role``; else viewer.

    An unrecognised ``role`` (Supabase sends ``authenticated``) falls through to ``atlas_role``.
    A list (as some providers send) gives its highest recognised role.
    """
    if role_claim:
        return _as_role(claim_at(payload, role_claim)) or "viewer"
    for name in _DEFAULT_ROLE_CLAIMS:
        role = _as_role(payload.get(name))
        if role is not None:
            return role
    return "viewer"


def workspace_from(payload: dict[str, Any], org_claim: str) -> str | None:
    """The organisation claim as a workspace id, or None when absent or not a short, printable
    string (a workspace id names keys, caches and ledgers in every service)."""
    value = claim_at(payload, org_claim)
    if isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value).strip()
        if 0 < len(text) <= 128 and text.isprintable():
            return text
    return None
