"""The semantic layer as the agent reads it: compact, JSON-ready views for its tools and prompt."""

from __future__ import annotations

import re
from typing import Any

from atlas_query.semantic import Entity, GlossaryTerm, Join, Metric, SemanticLayer

_SAMPLES = 8
_WORD = re.compile(r"[a-z0-9]+")


def entities(layer: SemanticLayer) -> list[dict[str, Any]]:
    return [
        {"name": e.name, "table": e.table, "grain": e.grain, "description": e.description}
        for e in layer.entities
    ]


def describe(layer: SemanticLayer, entity: Entity) -> dict[str, Any]:
    return {
        "name": entity.name,
        "table": entity.table,
        "grain": entity.grain,
        "description": entity.description,
        "dimensions": [
            _drop_empty(
                {
                    "name": d.name,
                    "sql": d.expression,
                    "type": d.type,
                    "description": d.description,
                    "primaryKey": d.primary_key or None,
                    "virtual": d.virtual or None,
                    "sampleValues": d.sample_values[:_SAMPLES] or None,
                }
            )
            for d in entity.dimensions
        ],
        "measures": [
            _drop_empty(
                {"name": m.name, "sql": m.sql, "type": m.type, "description": m.description}
            )
            for m in entity.measures
        ],
        "joins": [_join(layer, entity, j) for j in entity.joins],
        "queryPatterns": [
            {"description": p.description, "sql": p.sql} for p in entity.query_patterns
        ],
    }


def _join(layer: SemanticLayer, entity: Entity, join: Join) -> dict[str, Any]:
    target = layer.entity(join.target_entity)
    on = None
    if join.join_columns is not None and target is not None:
        on = f"{entity.table}.{join.join_columns.from_} = {target.table}.{join.join_columns.to}"
    return _drop_empty(
        {
            "targetEntity": join.target_entity,
            "relationship": join.relationship,
            "on": on,
            "description": join.description,
        }
    )


def search(layer: SemanticLayer, query: str) -> dict[str, Any]:
    """Terms and metrics sharing a word with ``query``; everything when nothing matches."""
    words = {w for w in _WORD.findall(query.lower()) if len(w) > 2}
    terms = {t: b for t, b in layer.glossary.items() if _matches(words, t, _term_text(b))}
    metrics = [m for m in layer.metrics if _matches(words, m.id, _metric_text(m))]
    if not terms and not metrics:
        return {
            "note": "Nothing matched; here is every term and metric.",
            "terms": [_term(t, b) for t, b in layer.glossary.items()],
            "metrics": [_metric(m) for m in layer.metrics],
        }
    return {
        "terms": [_term(t, b) for t, b in terms.items()],
        "metrics": [_metric(m) for m in metrics],
    }


def _matches(words: set[str], name: str, text: str) -> bool:
    name_words = set(_WORD.findall(name.lower()))
    return bool(words & name_words) or any(w in text for w in words)


def _term_text(body: GlossaryTerm) -> str:
    return " ".join([body.definition or "", body.note or "", *body.possible_mappings]).lower()


def _metric_text(metric: Metric) -> str:
    return f"{metric.label} {metric.description}".lower()


def _term(name: str, body: GlossaryTerm) -> dict[str, Any]:
    return _drop_empty(
        {
            "term": name,
            "status": body.status,
            "definition": body.definition,
            "note": body.note,
            "possibleMappings": body.possible_mappings or None,
            "tables": body.tables or None,
        }
    )


def _metric(metric: Metric) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": metric.id,
            "label": metric.label,
            "description": metric.description,
            "type": metric.type,
            "unit": metric.unit,
            "sql": metric.sql,
        }
    )


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", [])}
