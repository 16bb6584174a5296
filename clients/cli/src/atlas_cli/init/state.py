"""What the layer on disk was made from: the snapshot ``.atlas-init.json`` that each run
leaves beside the layer, or, for a layer without one (written by hand or by another tool),
what its entity files say. Re-runs compare the database with this, not with the YAML a
person may have edited, so a deleted measure or join stays deleted.

The snapshot holds names only (tables, columns, foreign keys): no data and no credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas_datasources.model import DatabaseProfile
from ruamel.yaml.comments import CommentedMap

from atlas_cli.init import names, yamlio
from atlas_cli.init.yamlio import LayerFileError

SNAPSHOT = ".atlas-init.json"
INFERRED = " (inferred)"
_VERSION = 1


@dataclass
class TableState:
    schema: str | None
    columns: list[str]
    foreign_keys: list[str]  # "column -> table.column", "(inferred)" appended when guessed


@dataclass
class OnDisk:
    """The layer in the output folder: its entity files by table key, and its state."""

    tables: dict[str, TableState] = field(default_factory=dict)
    entities: dict[str, tuple[Path, CommentedMap]] = field(default_factory=dict)
    has_layer: bool = False

    @property
    def first_run(self) -> bool:
        return not self.has_layer


def fk_text(column: str, ref_table: str, ref_column: str, inferred: bool) -> str:
    return f"{column} -> {ref_table}.{ref_column}" + (INFERRED if inferred else "")


def fk_base(text: str) -> str:
    """The key without its "(inferred)" mark: declaring an inferred key changes nothing."""
    return text.removesuffix(INFERRED)


def profile_state(profile: DatabaseProfile) -> dict[str, TableState]:
    state = {}
    for table in profile.tables:
        fks = [
            fk_text(fk.columns[0], fk.ref_table, fk.ref_columns[0], fk.inferred)
            for fk in table.foreign_keys
            if len(fk.columns) == 1
        ]
        state[names.table_key(table, profile.default_schema)] = TableState(
            table.schema_name, [c.name for c in table.columns], fks
        )
    return state


def snapshot_text(tables: dict[str, TableState]) -> str:
    data = {
        "version": _VERSION,
        "tables": {
            key: {"schema": t.schema, "columns": t.columns, "foreign_keys": t.foreign_keys}
            for key, t in sorted(tables.items())
        },
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def read(root: Path, default_schema: str | None) -> OnDisk:
    """The layer in ``root`` (nothing there: an empty, first-run value)."""
    found = OnDisk()
    for path in sorted((root / "entities").glob("*.y*ml")) if (root / "entities").is_dir() else []:
        data = yamlio.load(path)
        table = data.get("table")
        if isinstance(table, str) and table.strip():
            found.entities[_key(table, default_schema)] = (path, data)
    found.has_layer = bool(found.entities) or (root / "catalog.yml").is_file()
    snapshot = root / SNAPSHOT
    found.tables = (
        _snapshot(snapshot)
        if snapshot.is_file()
        else _from_entities(found.entities, default_schema)
    )
    return found


def _snapshot(path: Path) -> dict[str, TableState]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            key: TableState(t.get("schema"), list(t["columns"]), list(t["foreign_keys"]))
            for key, t in data["tables"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LayerFileError(
            f"{path}: unreadable ({type(exc).__name__}); delete it to compare "
            "with the entity files instead"
        ) from None


def _key(table: str, default_schema: str | None) -> str:
    parts = [_unquote(p) for p in table.strip().split(".")]
    if len(parts) > 1 and parts[0] == default_schema:
        parts = parts[1:]
    return ".".join(parts)


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) > 1 and part[0] == part[-1] and part[0] in '"`':
        return part[1:-1]
    return part


def _from_entities(
    entities: dict[str, tuple[Path, CommentedMap]], default_schema: str | None
) -> dict[str, TableState]:
    by_entity = {str(d.get("name", "")).lower(): key for key, (_, d) in entities.items()}
    state = {}
    for key, (_, data) in entities.items():
        columns = [c for d in _items(data, "dimensions") if (c := dimension_column(d))]
        fks = [
            fk_text(
                str(j["join_columns"]["from"]),
                by_entity[target],
                str(j["join_columns"]["to"]),
                bool(j.get("inferred")),
            )
            for j in _items(data, "joins")
            if j.get("relationship") in ("many_to_one", "one_to_one")
            and isinstance(j.get("join_columns"), dict)
            and (target := str(j.get("target_entity", "")).lower()) in by_entity
        ]
        state[key] = TableState(key.split(".")[0] if "." in key else default_schema, columns, fks)
    return state


def _items(data: CommentedMap, key: str) -> list[Any]:
    items = data.get(key)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def dimension_column(item: Any) -> str | None:
    """The column a dimension reads, when it is one column (not a virtual expression)."""
    if not isinstance(item, dict) or item.get("virtual"):
        return None
    sql = item.get("sql", item.get("name"))
    text = _unquote(str(sql)) if sql is not None else ""
    return text if text and all(ch.isalnum() or ch in "_ $" for ch in text) else None
