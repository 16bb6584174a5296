"""The Atlas semantic layer: models of the YAML format and the folder loader."""

from atlas_query.semantic.errors import SemanticLayerError
from atlas_query.semantic.layer import DEFAULT_SOURCE, SemanticLayer, SourceLayer
from atlas_query.semantic.loader import load_semantic_layer
from atlas_query.semantic.models import (
    Catalog,
    Dimension,
    Entity,
    Glossary,
    GlossaryTerm,
    Join,
    Measure,
    Metric,
    QueryPattern,
)

__all__ = [
    "DEFAULT_SOURCE",
    "Catalog",
    "Dimension",
    "Entity",
    "Glossary",
    "GlossaryTerm",
    "Join",
    "Measure",
    "Metric",
    "QueryPattern",
    "SemanticLayer",
    "SemanticLayerError",
    "SourceLayer",
    "load_semantic_layer",
]
