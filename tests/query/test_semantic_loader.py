"""Loading Atlas-format layers: the hand-written fixture layer loads unchanged, multi-source
layers nest, unknown keys are ignored, unknown enum values warn, structural errors name the
file and the field."""

# ruff: noqa: F811 - pytest injects the fixtures imported from tests.query.fixtures

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_query.semantic import SemanticLayer, SemanticLayerError, load_semantic_layer
from tests.query.fixtures.databases import shop_layer  # noqa: F401 - fixture

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_fixture_layer_loads(shop_layer: SemanticLayer) -> None:
    assert [s.name for s in shop_layer.sources] == ["default"]
    assert sorted(shop_layer.tables) == ["analytics.page_views", "categories", "order_items",
                                         "orders", "products", "users"]
    orders = shop_layer.entity("orders")
    assert orders is not None and orders.type == "fact_table"
    assert orders.grain == "one row per order"
    assert [d.name for d in orders.dimensions] == [
        "id", "user_id", "status", "created_at", "total_cents", "country", "tenant_id",
        "order_month"]
    assert orders.dimensions[2].sample_values == ["pending", "shipped", "delivered", "cancelled"]
    month = orders.dimensions[-1]
    assert month.virtual and month.sql == "strftime(created_at, '%Y-%m')"
    assert [(m.name, m.type) for m in orders.measures] == [
        ("order_count", "count_distinct"), ("total_gmv_cents", "sum")]
    assert orders.joins[0].join_columns is not None
    assert (orders.joins[0].target_entity, orders.joins[0].join_columns.from_) == (
        "Users", "user_id")
    assert orders.query_patterns[0].sql.startswith("SELECT status, COUNT(*) AS count")
    assert orders.file == "semantic/entities/orders.yml"


def test_catalog_glossary_and_metrics(shop_layer: SemanticLayer) -> None:
    source = shop_layer.sources[0]
    assert source.catalog is not None and source.catalog.version == "1.0"
    assert source.catalog.entities[1].common_questions == ["What is the GMV by month?"]
    assert source.catalog.metrics[0].file == "metrics/revenue.yml"
    glossary = shop_layer.glossary
    assert sorted(glossary) == ["revenue", "signup", "status"]
    assert glossary["revenue"].status == "ambiguous"
    assert glossary["revenue"].possible_mappings == ["orders.total_cents",
                                                    "order_items.unit_price_cents"]
    gmv = shop_layer.metrics[0]
    assert (gmv.id, gmv.unit, gmv.objective) == ("total_gmv", "USD", "maximize")
    assert gmv.source is not None and gmv.source.measure == "total_gmv_cents"
    assert [m.id for m in shop_layer.metrics] == ["total_gmv", "orders_by_status"]


def test_unknown_enum_values_warn_and_leave_the_item_out(shop_layer: SemanticLayer) -> None:
    assert sorted(shop_layer.warnings) == sorted([
        "semantic/glossary.yml: terms.churn.status: unknown value 'someday' "
        "(expected one of defined, ambiguous); item left out",
        "semantic/entities/orders.yml: dimensions[8].type: unknown value 'geography' "
        "(expected one of string, number, date, timestamp, boolean); item left out",
        "semantic/entities/orders.yml: measures[2].type: unknown value 'median_ish' "
        "(expected one of count, count_distinct, sum, avg, min, max, count_where); "
        "item left out",
        "semantic/entities/products.yml: joins[1].relationship: unknown value 'sideways' "
        "(expected one of many_to_one, one_to_many, one_to_one, many_to_many); item left out",
        "semantic/metrics/revenue.yml: metrics[2].type: unknown value 'imaginary' "
        "(expected one of atomic, derived, breakdown); item left out",
    ])


def test_multi_source_layers_nest_per_source() -> None:
    layer = load_semantic_layer(FIXTURES / "multi_source")
    assert [s.name for s in layer.sources] == ["crm", "warehouse"]
    assert sorted(layer.tables) == ["accounts", "raw.events", "raw.sessions"]
    warehouse = layer.source("warehouse")
    assert warehouse is not None and warehouse.catalog is None
    assert [m.id for m in warehouse.metrics] == ["event_count"]
    assert list(warehouse.glossary.terms) == ["event"]
    assert layer.entity("hidden") is None  # dot folders are not sources


def _layer(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "semantic" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "semantic"


@pytest.mark.parametrize(("files", "message"), [
    ({"entities/a.yml": "name: A\ntable: [unclosed\n"},
     "semantic/entities/a.yml: invalid YAML at line 3"),
    ({"entities/a.yml": "table: a\n"}, "semantic/entities/a.yml: name: field required"),
    ({"entities/a.yml": "name: A\n"}, "semantic/entities/a.yml: table: field required"),
    ({"entities/a.yml": "name: A\ntable: a\ndimensions:\n  - {sql: x, type: string}\n"},
     "semantic/entities/a.yml: dimensions[0].name: field required"),
    ({"entities/a.yml": "name: A\ntable: a\njoins:\n  - {target_entity: B, relationship: "
                        "many_to_one}\n"},
     "semantic/entities/a.yml: joins[0].target_entity: no entity named 'B' in this layer"),
    ({"entities/a.yml": "name: A\ntable: a\n", "entities/b.yml": "name: a\ntable: b\n"},
     "semantic/entities/b.yml: name: entity 'a' is also defined in semantic/entities/a.yml"),
    ({"entities/a.yml": "- name: A\n"},
     "semantic/entities/a.yml: expected a mapping at the top level"),
    ({"entities/a.yml": "name: A\ntable: a\n", "metrics/m.yml": "metrics:\n  - {id: x}\n"},
     "semantic/metrics/m.yml: metrics[0].sql: field required"),
    ({"catalog.yml": "entities: 3\n"}, "semantic/catalog.yml: entities"),
])
def test_structural_errors_name_the_file_and_field(tmp_path: Path, files: dict[str, str],
                                                   message: str) -> None:
    with pytest.raises(SemanticLayerError) as caught:
        load_semantic_layer(_layer(tmp_path, files))
    assert str(caught.value).startswith(message)


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SemanticLayerError, match="semantic layer folder not found"):
        load_semantic_layer(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SemanticLayerError, match="no entities/ folder"):
        load_semantic_layer(tmp_path / "empty")


def test_an_unknown_entity_type_leaves_the_entity_out(tmp_path: Path) -> None:
    layer = load_semantic_layer(_layer(tmp_path, {
        "entities/a.yml": "name: A\ntable: a\ntype: spreadsheet\n",
        "entities/b.yml": "name: B\ntable: b\nversion: 2\nunknown_block: {x: 1}\n",
    }))
    assert layer.tables == ["b"]
    assert layer.warnings == ["semantic/entities/a.yml: type: unknown value 'spreadsheet' "
                              "(expected one of fact_table, dimension_table, view, "
                              "materialized_view); entity left out"]


def test_the_packaged_demo_layer_loads() -> None:
    from atlas_query.settings import demo_semantic_root

    if not (demo_semantic_root() / "entities").is_dir():
        pytest.skip("the demo layer is not packaged in this checkout yet")
    layer = load_semantic_layer(demo_semantic_root())
    assert {"users", "orders"} <= set(layer.tables)
