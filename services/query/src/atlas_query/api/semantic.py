"""Reading the semantic layer for clients (the MCP server, the SDKs): entities, one entity,
metrics, the glossary, the catalog, and its raw YAML files. Read-only and free of HTTP.

Raw files are served from the layer's folder only: a path is resolved and must stay inside
it, and only ``.yml`` / ``.yaml`` files are listed or read (no symlink out, no ``..``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from atlas_common.errors import NotFound
from atlas_common.wire.admin import CoverageGaps, SemanticStats
from atlas_common.wire.semantic import (
    CatalogResponse,
    EntitiesResponse,
    EntityResponse,
    EntitySummary,
    GlossaryEntry,
    GlossaryResponse,
    MetricsFileEntry,
    MetricsResponse,
    SemanticFile,
    SemanticFilesResponse,
)
from atlas_query.semantic import Entity, SemanticLayer

YAML_SUFFIXES = (".yml", ".yaml")


class SemanticReader:
    def __init__(self, layer: SemanticLayer) -> None:
        self.layer = layer

    def entities(self) -> EntitiesResponse:
        summaries = [_summary(e, s.name) for s in self.layer.sources for e in s.entities]
        return EntitiesResponse(entities=summaries, warnings=list(self.layer.warnings))

    def entity(self, name: str) -> EntityResponse:
        entity = self.layer.entity(name)
        if entity is None:
            raise NotFound(f"No entity {name!r} in the semantic layer")
        return EntityResponse(entity=_dump(entity))

    def metrics(self) -> MetricsResponse:
        """One entry per metrics file, upstream's shape; a metric by id runs at
        ``/api/v1/metrics/{id}/run``."""
        files = [
            MetricsFileEntry(source=s.name, file=f.stem, data=f.data)
            for s in self.layer.sources
            for f in s.metric_files
        ]
        return MetricsResponse(metrics=files)

    def glossary(self) -> GlossaryResponse:
        entries = [
            GlossaryEntry(
                term=term,
                status=body.status,
                definition=body.definition,
                note=body.note,
                tables=list(body.tables),
                possible_mappings=list(body.possible_mappings),
            )
            for term, body in self.layer.glossary.items()
        ]
        return GlossaryResponse(glossary=entries)

    def catalog(self) -> CatalogResponse:
        catalog = next((s.catalog for s in self.layer.sources if s.catalog), None)
        return CatalogResponse(catalog=_dump(catalog) if catalog else None)

    def stats(self) -> SemanticStats:
        """Counts for the admin overview, and what the layer is missing (upstream's shape)."""
        entities = [e for s in self.layer.sources for e in s.entities]
        columns = [len([d for d in e.dimensions if not d.virtual]) for e in entities]
        return SemanticStats(
            total_entities=len(entities),
            total_columns=sum(columns),
            total_joins=sum(len(e.joins) for e in entities),
            total_measures=sum(len(e.measures) for e in entities),
            coverage_gaps=CoverageGaps(
                no_description=sum(1 for e in entities if not e.description.strip()),
                no_columns=columns.count(0),
                no_joins=sum(1 for e in entities if not e.joins),
            ),
        )

    def files(self) -> SemanticFilesResponse:
        root = self.layer.root.resolve()
        found = [
            SemanticFile(path=p.relative_to(root).as_posix(), size=p.stat().st_size)
            for p in sorted(root.rglob("*"))
            if _servable(p, root)
        ]
        return SemanticFilesResponse(files=found)

    def raw(self, relative: str) -> str:
        """One YAML file of the layer, as written; 404 for anything outside or not YAML."""
        root = self.layer.root.resolve()
        path = (root / relative).resolve()
        if not _servable(path, root):
            raise NotFound(f"No file {relative!r} in the semantic layer")
        return path.read_text(encoding="utf-8")


def _servable(path: Path, root: Path) -> bool:
    inside = path.is_relative_to(root) and path.resolve().is_relative_to(root)
    hidden = any(part.startswith(".") for part in path.relative_to(root).parts) if inside else True
    return inside and not hidden and path.is_file() and path.suffix in YAML_SUFFIXES


def _summary(entity: Entity, source: str) -> EntitySummary:
    columns = [d for d in entity.dimensions if not d.virtual]
    return EntitySummary(
        name=entity.name,
        table=entity.table,
        description=entity.description,
        grain=entity.grain,
        type=entity.type,
        column_count=len(columns),
        dimension_count=len(entity.dimensions),
        measure_count=len(entity.measures),
        join_count=len(entity.joins),
        source=source,
        connection=entity.connection,
    )


def _dump(model: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped
