"""``/api/v1/admin/semantic/stats``: the layer's counts and gaps, upstream's SemanticStats."""

from __future__ import annotations

from atlas_query.api.semantic import SemanticReader
from atlas_query.semantic import load_semantic_layer
from tests.query.fixtures.dataset import SEMANTIC_ROOT


def test_stats_count_the_layer() -> None:
    layer = load_semantic_layer(SEMANTIC_ROOT)
    entities = [e for s in layer.sources for e in s.entities]
    stats = SemanticReader(layer).stats().model_dump(by_alias=True)
    assert stats["totalEntities"] == len(entities) > 0
    assert stats["totalMeasures"] == sum(len(e.measures) for e in entities)
    assert stats["totalJoins"] == sum(len(e.joins) for e in entities) > 0
    assert 0 < stats["totalColumns"] <= sum(len(e.dimensions) for e in entities)
    gaps = stats["coverageGaps"]
    assert set(gaps) == {"noDescription", "noColumns", "noJoins"}
    assert gaps["noJoins"] == sum(1 for e in entities if not e.joins)


def test_an_entity_without_description_or_joins_is_a_gap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "entities").mkdir()
    (tmp_path / "entities" / "bare.yml").write_text(
        "name: Bare\ntable: bare\ndimensions:\n  - name: id\n    sql: id\n    type: number\n")
    stats = SemanticReader(load_semantic_layer(tmp_path)).stats()
    assert (stats.total_entities, stats.total_columns, stats.total_joins) == (1, 1, 0)
    gaps = stats.coverage_gaps
    assert (gaps.no_description, gaps.no_columns, gaps.no_joins) == (1, 0, 1)
