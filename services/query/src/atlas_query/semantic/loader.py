"""Load an Atlas-format semantic layer folder (``ATLAS_SEMANTIC_ROOT``).

Layouts: ``<root>/entities/*.yml`` (one source, named ``default``) and / or
``<root>/<source>/entities/*.yml`` (one source per folder). Each source may carry
``catalog.yml``, ``glossary.yml`` and ``metrics/*.yml``. Structural errors raise one
:class:`SemanticLayerError` naming the file and the field; unknown enum values warn.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from atlas_query.semantic.errors import SemanticLayerError
from atlas_query.semantic.fields import warn_unknown_entity_type
from atlas_query.semantic.layer import DEFAULT_SOURCE, MetricFile, SemanticLayer, SourceLayer
from atlas_query.semantic.models import ENTITY_TYPES, Catalog, Entity, Glossary, Metric, MetricsFile

log = logging.getLogger("atlas_query.semantic")
M = TypeVar("M", bound=BaseModel)
_YAML = ("*.yml", "*.yaml")


def load_semantic_layer(root: Path | str) -> SemanticLayer:
    """Read every source under ``root``; raise :class:`SemanticLayerError` if it is broken."""
    root = Path(root)
    if not root.is_dir():
        raise SemanticLayerError(root, "", "semantic layer folder not found")
    warnings: list[str] = []
    folders = [(DEFAULT_SOURCE, root)] if _is_source(root) else []
    folders += [(child.name, child) for child in sorted(root.iterdir())
                if child.is_dir() and not child.name.startswith(".")
                and (child / "entities").is_dir()]
    if not folders:
        raise SemanticLayerError(root, "entities", "no entities/ folder (flat or per source)")
    sources = [_load_source(name, folder, root, warnings) for name, folder in folders]
    return SemanticLayer(root=root, sources=sources, warnings=warnings)


def _is_source(folder: Path) -> bool:
    return (folder / "entities").is_dir() or any(
        (folder / name).is_file() for name in ("catalog.yml", "glossary.yml")
    )


def _load_source(name: str, folder: Path, root: Path, warnings: list[str]) -> SourceLayer:
    reader = _Reader(root, warnings)
    catalog_path = _first(folder, "catalog")
    catalog = reader.model(Catalog, catalog_path) if catalog_path else None
    glossary_path = _glossary_path(folder, catalog)
    glossary = reader.model(Glossary, glossary_path) if glossary_path else Glossary()
    entities = [e for path in _files(folder / "entities") if (e := reader.entity(path))]
    _check_unique(entities, reader)
    _check_joins(entities, reader)
    metrics: list[Metric] = []
    metric_files: list[MetricFile] = []
    for path in _files(folder / "metrics"):
        data = reader.mapping(path)
        metrics.extend(reader.model(MetricsFile, path, data).metrics)
        metric_files.append(MetricFile(stem=path.stem, data=data))
    return SourceLayer(name=name, catalog=catalog, glossary=glossary, entities=entities,
                       metrics=metrics, metric_files=metric_files)


def _first(folder: Path, stem: str) -> Path | None:
    return next((p for ext in ("yml", "yaml") if (p := folder / f"{stem}.{ext}").is_file()),
                None)


def _glossary_path(folder: Path, catalog: Catalog | None) -> Path | None:
    if catalog is not None and catalog.glossary and (folder / catalog.glossary).is_file():
        return folder / catalog.glossary
    return _first(folder, "glossary")


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted({path for pattern in _YAML for path in folder.glob(pattern)})


class _Reader:
    """Reads one file at a time, turning every failure into a located error."""

    def __init__(self, root: Path, warnings: list[str]) -> None:
        self.root = root
        self.warnings = warnings

    def rel(self, path: Path) -> str:
        return str(Path(self.root.name) / path.relative_to(self.root))

    def mapping(self, path: Path) -> dict[str, Any]:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise SemanticLayerError(self.rel(path), "", f"invalid YAML{where}") from exc
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise SemanticLayerError(self.rel(path), "", "expected a mapping at the top level")
        return data

    def model(self, model: type[M], path: Path, data: dict[str, Any] | None = None) -> M:
        data = self.mapping(path) if data is None else data
        context = {"file": self.rel(path), "warnings": self.warnings}
        try:
            return model.model_validate(data, context=context)
        except ValidationError as exc:
            first = exc.errors()[0]
            reason = str(first["msg"]).lower()
            raise SemanticLayerError(self.rel(path), _loc(first["loc"]), reason) from exc

    def entity(self, path: Path) -> Entity | None:
        data = self.mapping(path)
        kind = data.get("type")
        if kind is not None and kind not in ENTITY_TYPES:
            self.warnings.append(warn_unknown_entity_type(self.rel(path), kind, ENTITY_TYPES))
            return None
        return self.model(Entity, path, {**data, "file": self.rel(path)})


def _loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _check_unique(entities: list[Entity], reader: _Reader) -> None:
    seen: dict[str, Entity] = {}
    for entity in entities:
        other = seen.setdefault(entity.name.lower(), entity)
        if other is not entity:
            raise SemanticLayerError(entity.file or "", "name",
                                     f"entity {entity.name!r} is also defined in {other.file}")


def _check_joins(entities: list[Entity], reader: _Reader) -> None:
    known = {e.name.lower() for e in entities}
    known |= {part.lower() for e in entities for part in (e.table, e.table.split(".")[-1])}
    for entity in entities:
        for index, join in enumerate(entity.joins):
            if join.target_entity.lower() not in known:
                raise SemanticLayerError(
                    entity.file or "", f"joins[{index}].target_entity",
                    f"no entity named {join.target_entity!r} in this layer")
