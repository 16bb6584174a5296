"""The generator on profiles built by hand: names, measures, units, joins, glossary, prompts,
and that what it writes loads with the query service's own loader."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from atlas_cli.init import names
from atlas_cli.init.generate import generate
from atlas_cli.init.model import Document, Layer
from atlas_cli.init.writer import render, write_text
from atlas_datasources.model import DatabaseProfile, TableProfile

from atlas_query.semantic import load_semantic_layer
from tests.clients.init.profiles import col, fk, shop

TODAY = date(2026, 3, 14)


def entity(layer: Layer, name: str) -> dict[str, Any]:
    return next(d.data for d in layer.entities() if d.data["name"] == name)


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for i in items}


def doc(layer: Layer, path: str) -> Document:
    return next(d for d in layer.documents if d.path == path)


def write(layer: Layer, root: Path) -> Path:
    for document in layer.documents:
        write_text(root, document.path, render(document, "the duckdb database shop", TODAY))
    return root


def test_names_are_readable_and_identifiers_quoted_where_needed() -> None:
    assert names.pascal("order_items") == "OrderItems"
    assert names.pascal("InvoiceLine") == "InvoiceLine"
    assert names.pascal("Order Details") == "OrderDetails"
    assert names.pascal("2024_sales") == "T2024Sales"
    assert names.noun_phrase("categories", many=False) == "category"
    assert names.quote("InvoiceId", "postgres") == '"InvoiceId"'
    assert names.quote("InvoiceId", "duckdb") == "InvoiceId"
    assert names.quote("user", "postgres") == '"user"'
    assert names.quote("order", "mysql") == "`order`"
    assert names.quote("total_cents", "postgres") == "total_cents"


def test_every_table_and_view_is_an_entity_with_every_column() -> None:
    profile = shop()
    layer = generate(profile)
    assert sorted(d.data["name"] for d in layer.entities()) == [
        "BigOrders",
        "OrderItems",
        "Orders",
        "Payments",
        "Products",
        "Users",
    ]
    assert entity(layer, "BigOrders")["type"] == "view"
    assert entity(layer, "Orders")["type"] == "fact_table"
    assert entity(layer, "Users")["type"] == "dimension_table"
    for table in profile.tables:
        found = next(d for d in layer.entities() if d.table == table.name)
        columns = {d["name"] for d in found.data["dimensions"] if not d.get("virtual")}
        assert columns == {c.name for c in table.columns}


def test_dimensions_carry_keys_types_statistics_and_comments() -> None:
    users = by_name(entity(generate(shop()), "Users")["dimensions"])
    assert users["id"]["primary_key"] is True and users["id"]["type"] == "number"
    assert users["country"]["sample_values"] == ["France", "Japan"]
    assert users["country"]["unique_count"] == 2
    assert users["country"]["null_count"] == 600  # 10 % of 6,000 rows
    assert users["email"]["description"] == "Login e-mail"
    assert users["created_at"]["type"] == "timestamp"
    assert users["created_at"]["x-atlas-min"] == "2024-01-01T00:00:00"
    assert entity(generate(shop()), "Users")["description"] == "People who signed up"


def test_measures_are_marked_guesses_count_sum_avg_and_distinct_keys() -> None:
    orders = by_name(entity(generate(shop()), "Orders")["measures"])
    assert orders["order_count"] | {"description": ""} == {
        "name": "order_count",
        "type": "count_distinct",
        "sql": "id",
        "description": "",
        "x-atlas-guess": True,
    }
    assert all(m["x-atlas-guess"] and "Guessed" in m["description"] for m in orders.values())
    assert orders["total_revenue"] == orders["total_revenue"] | {"sql": "revenue", "type": "sum"}
    assert orders["avg_revenue"]["type"] == "avg"
    assert orders["distinct_user_count"] | {"description": ""} == {
        "name": "distinct_user_count",
        "sql": "user_id",
        "type": "count_distinct",
        "description": "",
        "x-atlas-guess": True,
    }
    # Keys and labels are not summed; a percentage is averaged, never summed.
    assert not any(
        m.get("sql") in ("year", "user_id") and m["type"] == "sum" for m in orders.values()
    )
    assert "avg_discount_pct" in orders and "total_discount_pct" not in orders
    products = by_name(entity(generate(shop()), "Products")["measures"])
    assert sorted(products) == ["avg_price", "product_count", "total_price"]  # not "order"


def test_measure_names_are_snake_case_whatever_the_columns() -> None:
    table = TableProfile(
        name="InvoiceLine",
        row_count=2,
        primary_key=["InvoiceLineId"],
        columns=[col("InvoiceLineId", primary_key=True), col("UnitPrice")],
    )
    layer = generate(DatabaseProfile(dialect="postgres", database="c", tables=[table]))
    measures = by_name(entity(layer, "InvoiceLine")["measures"])
    assert sorted(measures) == ["avg_unit_price", "invoice_line_count", "total_unit_price"]
    assert measures["total_unit_price"]["sql"] == '"UnitPrice"'
    assert measures["invoice_line_count"]["sql"] == '"InvoiceLineId"'


def test_cents_are_shown_in_whole_units_and_named_by_what_they_total() -> None:
    layer = generate(shop())
    orders = by_name(entity(layer, "Orders")["measures"])
    assert orders["order_total_sum"]["sql"] == "total_cents / 100.0"
    assert orders["avg_order_total"]["type"] == "avg"
    items = by_name(entity(layer, "OrderItems")["measures"])
    assert items["total_unit_price"]["sql"] == "unit_price_cents / 100.0"
    dims = by_name(entity(layer, "Orders")["dimensions"])
    assert dims["total_cents"]["semantic_type"] == "cents"
    assert dims["discount_pct"]["semantic_type"] == "percent"
    assert by_name(entity(layer, "Payments")["dimensions"])["amount_usd"]["semantic_type"] == (
        "currency"
    )


def test_a_table_without_a_primary_key_counts_rows() -> None:
    payments = by_name(entity(generate(shop()), "Payments")["measures"])
    assert payments["payment_count"]["type"] == "count"
    assert "sql" not in payments["payment_count"]


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("duckdb", "strftime(created_at, '%Y-%m')"),
        ("sqlite", "strftime('%Y-%m', created_at)"),
        ("postgres", "to_char(created_at, 'YYYY-MM')"),
        ("mysql", "DATE_FORMAT(created_at, '%Y-%m')"),
    ],
)
def test_a_month_dimension_per_main_time_column_in_the_dialect(dialect: Any, sql: str) -> None:
    dims = by_name(entity(generate(shop(dialect)), "Orders")["dimensions"])
    assert dims["order_month"] | {"description": ""} == {
        "name": "order_month",
        "sql": sql,
        "type": "string",
        "virtual": True,
        "description": "",
        "x-atlas-guess": True,
    }
    # created_at, not updated_at, is when an order happened: one bucket only.
    assert [d for d in dims if d.endswith("_month")] == ["order_month"]
    payments = by_name(entity(generate(shop(dialect)), "Payments")["dimensions"])
    assert "paid_month" in payments


def test_declared_keys_join_both_ways_and_inferred_ones_are_marked() -> None:
    layer = generate(shop())
    orders = {(j["target_entity"], j["relationship"]): j for j in entity(layer, "Orders")["joins"]}
    users = {(j["target_entity"], j["relationship"]): j for j in entity(layer, "Users")["joins"]}
    assert orders["Users", "many_to_one"]["join_columns"] == {"from": "user_id", "to": "id"}
    assert users["Orders", "one_to_many"]["join_columns"] == {"from": "id", "to": "user_id"}
    assert "inferred" not in orders["Users", "many_to_one"]
    inferred = orders["Payments", "one_to_many"]
    assert inferred["inferred"] is True and "Inferred" in inferred["description"]
    assert "98%" in inferred["description"]
    payments = entity(layer, "Payments")["joins"]
    assert payments[0] | {"description": ""} == {
        "target_entity": "Orders",
        "relationship": "many_to_one",
        "join_columns": {"from": "order_id", "to": "id"},
        "inferred": True,
        "description": "",
    }
    assert layer.counts()["joins_inferred"] == 2


def test_tables_outside_the_default_schema_are_qualified_and_keep_unique_names() -> None:
    base = shop("postgres", default_schema="public")
    other = TableProfile(
        name="orders",
        schema_name="archive",
        row_count=5,
        primary_key=["id"],
        columns=[col("id", primary_key=True), col("user_id")],
        foreign_keys=[fk("user_id", "users")],
    )
    layer = generate(base.model_copy(update={"tables": [*base.tables, other]}))
    archived = next(d for d in layer.entities() if d.table == "archive.orders")
    assert archived.data["table"] == "archive.orders"
    assert archived.data["name"] == "ArchiveOrders"
    assert archived.path == "entities/archive_orders.yml"
    assert entity(layer, "Orders")["table"] == "orders"


def test_glossary_marks_terms_that_mean_two_things() -> None:
    terms = doc(generate(shop()), "glossary.yml").data["terms"]
    assert terms["status"]["status"] == "ambiguous"
    assert terms["status"]["possible_mappings"] == ["orders.status", "users.status"]
    assert terms["country"]["tables"] == ["orders", "users"]
    assert terms["revenue"]["possible_mappings"] == ["orders.revenue", "orders.revenue_cents"]
    assert terms["price"]["possible_mappings"] == [
        "order_items.unit_price_cents",
        "products.price_cents",
    ]
    assert all(t["x-atlas-guess"] for t in terms.values())
    # Keys and labels are settled by the entity a question names, never asked back.
    assert "id" not in terms and "order id" not in terms
    profile = shop()
    named = [
        t.model_copy(update={"columns": [*t.columns, col("Name", "string")]})
        for t in profile.tables
    ]
    terms = doc(generate(profile.model_copy(update={"tables": named})), "glossary.yml").data
    assert "name" not in terms["terms"] and "status" in terms["terms"]


def test_catalog_has_a_starter_prompt_per_main_entity_and_the_count_metrics() -> None:
    layer = generate(shop())
    catalog = doc(layer, "catalog.yml").data
    assert catalog["starterPrompts"] == [
        "How many order items are there?",
        "How many orders are there?",
        "How many payments are there?",
        "How many users are there?",
        "How many products are there?",
    ]
    orders = next(e for e in catalog["entities"] if e["name"] == "Orders")
    assert orders["file"] == "entities/orders.yml"
    assert "How many orders are there by status?" in orders["common_questions"]
    metrics = {m["id"]: m for m in doc(layer, "metrics/counts.yml").data["metrics"]}
    assert metrics["order_count"]["sql"] == "SELECT COUNT(DISTINCT id) AS order_count\nFROM orders"
    assert metrics["order_count"]["source"] == {"entity": "Orders", "measure": "order_count"}
    assert "big_order_count" not in metrics  # a view is no main entity


def test_written_layer_loads_with_the_query_services_loader(tmp_path: Path) -> None:
    root = write(generate(shop()), tmp_path / "semantic")
    loaded = load_semantic_layer(root)
    assert loaded.warnings == []
    assert {e.name for e in loaded.entities} == {
        "BigOrders",
        "OrderItems",
        "Orders",
        "Payments",
        "Products",
        "Users",
    }
    orders = loaded.entity("Orders")
    assert orders is not None and {j.target_entity for j in orders.joins} == {
        "Users",
        "OrderItems",
        "Payments",
    }
    assert loaded.starter_prompts[0] == "How many order items are there?"
    assert len(loaded.metrics) == 5


def test_each_file_says_it_was_generated_and_what_to_review(tmp_path: Path) -> None:
    root = write(generate(shop()), tmp_path)
    text = (root / "entities/orders.yml").read_text()
    assert text.startswith("# Generated by `atlas init` on 2026-03-14 from the duckdb database")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    assert "order_count" in header and "inferred joins to Payments" in header
    for path in ("catalog.yml", "glossary.yml", "metrics/counts.yml"):
        assert (root / path).read_text().startswith("# Generated by `atlas init` on 2026-03-14")


def test_yaml_11_words_stay_strings_for_pyyaml(tmp_path: Path) -> None:
    table = TableProfile(
        name="flags",
        row_count=3,
        columns=[col("answer", "string", sample_values=["yes", "no", "on", "12:30", "n"])],
    )
    profile = DatabaseProfile(dialect="sqlite", database="f.sqlite", tables=[table])
    root = write(generate(profile), tmp_path)
    data = yaml.safe_load((root / "entities/flags.yml").read_text())
    assert data["dimensions"][0]["sample_values"] == ["yes", "no", "on", "12:30", "n"]
