"""A loaded semantic layer: one or several sources, each with its entities, metrics and
glossary. The entities' tables are the SQL guard's whitelist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from atlas_query.semantic.models import Catalog, Entity, Glossary, GlossaryTerm, Metric

DEFAULT_SOURCE = "default"


class MetricFile(BaseModel):
    """One ``metrics/*.yml`` as parsed, kept whole: clients list metrics per file, as upstream."""

    model_config = ConfigDict(frozen=True)

    stem: str
    data: dict[str, Any]


class SourceLayer(BaseModel):
    """The layer of one datasource: the flat layout, or one ``semantic/<source>/`` folder."""

    model_config = ConfigDict(frozen=True)

    name: str
    catalog: Catalog | None = None
    glossary: Glossary = Field(default_factory=Glossary)
    entities: list[Entity] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    metric_files: list[MetricFile] = Field(default_factory=list)


class SemanticLayer(BaseModel):
    model_config = ConfigDict(frozen=True)

    root: Path
    sources: list[SourceLayer] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    @property
    def entities(self) -> list[Entity]:
        return [entity for source in self.sources for entity in source.entities]

    @property
    def metrics(self) -> list[Metric]:
        return [metric for source in self.sources for metric in source.metrics]

    @property
    def glossary(self) -> dict[str, GlossaryTerm]:
        """Every source's terms; a later source does not override an earlier one's term."""
        terms: dict[str, GlossaryTerm] = {}
        for source in self.sources:
            for term, body in source.glossary.terms.items():
                terms.setdefault(term, body)
        return terms

    @property
    def starter_prompts(self) -> list[str]:
        """Every source catalog's starter prompts, in order."""
        return [p for s in self.sources if s.catalog for p in s.catalog.starter_prompts]

    @property
    def entity_count(self) -> int:
        return len(self.entities)

    @property
    def tables(self) -> list[str]:
        """The whitelist, as written in the entities (may be schema-qualified)."""
        return [entity.table for entity in self.entities]

    def source(self, name: str) -> SourceLayer | None:
        return next((source for source in self.sources if source.name == name), None)

    def entity(self, name: str) -> Entity | None:
        """The entity called ``name`` (case-insensitive), else the one over table ``name``."""
        wanted = name.lower()
        for entity in self.entities:
            if entity.name.lower() == wanted:
                return entity
        return next((e for e in self.entities if e.table.lower() == wanted), None)
