"""Issue 19's operators on a small layer written the way `atlas init` writes one (prefixed
column names, no measures for most columns): thresholds and HAVING, count distinct, units,
shares, weekdays, several measures, period over period, column compares, ranking verbs and the
clarifications that replace a guess. Each plan runs on DuckDB and its rows are checked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from atlas_query.planner import CannotAnswer, Clarify, Planned, SemanticPlanner
from atlas_query.semantic import load_semantic_layer

NOW = datetime(2024, 4, 1, 12, 0, tzinfo=UTC)


def _dim(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "sql": name, "type": kind, **extra}


ENTITIES = {
    "customer": {
        "name": "Customer", "type": "dimension_table", "table": "customer",
        "description": "Customers (also called buyers).",
        "dimensions": [_dim("c_id", "number", primary_key=True), _dim("c_name", "string"),
                       _dim("c_segment", "string", sample_values=["BUILDING", "MACHINERY"],
                            description="Market segment. Also segment.")],
        "measures": [{"name": "customer_count", "sql": "c_id", "type": "count_distinct"}],
        "joins": [{"target_entity": "Orders", "relationship": "one_to_many",
                   "join_columns": {"from": "c_id", "to": "o_custkey"}}],
    },
    "orders": {
        "name": "Orders", "type": "fact_table", "table": "orders",
        "description": "Orders placed by customers.",
        "dimensions": [
            _dim("o_id", "number", primary_key=True), _dim("o_custkey", "number"),
            _dim("o_totalprice", "number", description="Also order value."),
            _dim("o_orderdate", "date", description="The day the order was placed."),
            _dim("o_shipdate", "date", description="The day the order was shipped."),
            _dim("o_commitdate", "date", description="Also commit date."),
            _dim("o_priority", "string", sample_values=["1-URGENT", "2-HIGH"],
                 description="Also priority."),
            _dim("o_discount", "number", sample_values=[0.0, 0.05, 0.1],
                 description="Also discount."),
            _dim("o_quantity", "number", description="Also quantity."),
            _dim("o_duration_ms", "number", description="Also duration."),
        ],
        "measures": [{"name": "order_count", "sql": "o_id", "type": "count_distinct"}],
        "joins": [{"target_entity": "Customer", "relationship": "many_to_one",
                   "join_columns": {"from": "o_custkey", "to": "c_id"}}],
    },
}
ROWS: dict[str, list[tuple[Any, ...]]] = {
    "customer": [(1, "Ann", "BUILDING"), (2, "Bob", "MACHINERY"), (3, "Cy", "BUILDING")],
    # id, customer, price, ordered, shipped, committed, priority, discount, qty, ms
    "orders": [(1, 1, 100.0, "2024-01-01", "2024-01-05", "2024-01-03", "1-URGENT", 0.05, 2, 60000),
               (2, 1, 300.0, "2024-01-02", "2024-01-03", "2024-01-04", "2-HIGH", 0.1, 5, 120000),
               (3, 1, 50.0, "2024-02-06", "2024-02-07", "2024-02-09", "2-HIGH", 0.0, 1, 30000),
               (4, 2, 500.0, "2024-02-07", "2024-02-12", "2024-02-08", "1-URGENT", 0.1, 3, 600000),
               (5, 3, 50.0, "2024-03-01", "2024-03-02", "2024-03-05", "2-HIGH", 0.0, 4, 90000)],
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[SemanticPlanner, Any]:
    root = tmp_path_factory.mktemp("shop") / "semantic"
    (root / "entities").mkdir(parents=True)
    for file, entity in ENTITIES.items():
        (root / "entities" / f"{file}.yml").write_text(yaml.safe_dump(entity))
    layer = load_semantic_layer(root)
    db = duckdb.connect(":memory:")
    db.execute("CREATE TABLE customer (c_id INT, c_name TEXT, c_segment TEXT)")
    db.execute("CREATE TABLE orders (o_id INT, o_custkey INT, o_totalprice DOUBLE, o_orderdate "
               "DATE, o_shipdate DATE, o_commitdate DATE, o_priority TEXT, o_discount DOUBLE, "
               "o_quantity INT, o_duration_ms INT)")
    for table, values in ROWS.items():
        marks = ", ".join("?" * len(values[0]))
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    return SemanticPlanner(layer, "duckdb", now=lambda: NOW), db


def rows(shop: tuple[SemanticPlanner, Any], question: str) -> list[tuple[Any, ...]]:
    planner, db = shop
    decision = planner.decide(question)
    assert isinstance(decision, Planned), decision
    return [tuple(float(v) if isinstance(v, int | float) or hasattr(v, "is_finite") else v
                  for v in row) for row in db.execute(decision.sql).fetchall()]


@pytest.mark.parametrize(("question", "expected"), [
    ("How many orders are over 200?", [(2.0,)]),  # the one amount column of orders
    ("How many orders have a discount above 5%?", [(2.0,)]),  # percent of a fraction
    ("How many orders are longer than 1 minute?", [(3.0,)]),  # minutes of milliseconds
    ("How many customers have more than 1 order?", [(1.0,)]),  # HAVING, groups counted
    ("Customers with more than 1 order", [("Ann", 3.0)]),
    ("How many unique customers placed orders in February 2024?", [(2.0,)]),
    ("What is the average duration of orders in seconds?", [(180.0,)]),
    ("What share of orders are urgent?", [(40.0,)]),  # "1-URGENT" said "urgent"
    ("Share of total order value by segment", [("BUILDING", 50.0), ("MACHINERY", 50.0)]),
    ("Number of orders and total order value by segment",
     [("BUILDING", 4.0, 500.0), ("MACHINERY", 1.0, 500.0)]),
    ("How many orders were shipped after their commit date?", [(2.0,)]),
    ("What is the 50th percentile of order value?", [(100.0,)]),
    ("How many orders are priced at 50?", [(2.0,)]),
    ("What is the average order value in dollars?", [(200.0,)]),
    ("What are the earliest and latest order dates?",
     [(datetime(2024, 1, 1).date(), datetime(2024, 3, 1).date())]),
])
def test_operators_answer(shop: tuple[SemanticPlanner, Any], question: str,
                          expected: list[tuple[Any, ...]]) -> None:
    assert sorted(rows(shop, question), key=str) == sorted(expected, key=str)


def test_weekday_and_period_over_period(shop: tuple[SemanticPlanner, Any]) -> None:
    days = dict((d, n) for d, n in rows(shop, "Orders placed by day of week"))
    assert days == {"Monday": 1.0, "Tuesday": 2.0, "Wednesday": 1.0, "Friday": 1.0}
    growth = rows(shop, "Month-over-month change in the number of orders placed in 2024")
    assert [r[1:] for r in growth] == [(2.0, None), (2.0, 0.0), (1.0, -1.0)]


def test_ranking_verbs(shop: tuple[SemanticPlanner, Any]) -> None:
    assert rows(shop, "Who are the 2 best-selling customers?") == [("Ann", 8.0), ("Cy", 4.0)]
    assert rows(shop, "What is the most popular priority?") == [("2-HIGH", 3.0)]


@pytest.mark.parametrize("question", [
    "How many customers are over 200 minutes?",  # customers have no duration
    "How many orders are over $200 by the 3rd?",  # nothing after the number reads
    "What is the 90th percentile of customers?",  # a percentile of no column
    "Month-over-month growth of orders placed by segment",  # a breakdown, not one series
    "Total order value in minutes",  # no unit on an amount
    "Customers with more than 1 order value",  # HAVING only on a count of rows
    "What share of urgent orders are in the building segment?",  # which is the part?
    "Number of orders and customers by segment",  # two tables counted: never half of it
    "What is the total customer value?",  # "value" of a table with no phrase for it
    "What is the most popular segment?",  # customers are referred to by orders: by what?
    "Number of orders in dollars",  # a count has no unit
])
def test_what_it_declines(shop: tuple[SemanticPlanner, Any], question: str) -> None:
    assert isinstance(shop[0].decide(question), CannotAnswer | Clarify)


def test_several_prices_ask_which(shop: tuple[SemanticPlanner, Any],
                                  tmp_path: Path) -> None:
    planner, _ = shop
    asked = planner.decide("What is the average order value or discount?")
    assert not isinstance(asked, Planned)
    layer = yaml.safe_load(yaml.safe_dump(ENTITIES))
    layer["customer"]["dimensions"].append(_dim("c_price", "number"))
    layer["orders"]["dimensions"].append(_dim("o_price", "number"))
    (tmp_path / "entities").mkdir()
    for file, entity in layer.items():
        (tmp_path / "entities" / f"{file}.yml").write_text(yaml.safe_dump(entity))
    two = SemanticPlanner(load_semantic_layer(tmp_path), "duckdb", now=lambda: NOW)
    clarify = two.decide("What is the average price?")
    assert isinstance(clarify, Clarify)
    assert sorted(clarify.options) == ["average price of customer", "average price of orders",
                                       "average total price of orders"]


def test_one_quantity_in_two_units_is_one_candidate(tmp_path: Path) -> None:
    layer = yaml.safe_load(yaml.safe_dump(ENTITIES))
    layer["orders"]["dimensions"] += [_dim("o_fee", "number"), _dim("o_fee_cents", "number")]
    (tmp_path / "entities").mkdir()
    for file, entity in layer.items():
        (tmp_path / "entities" / f"{file}.yml").write_text(yaml.safe_dump(entity))
    planner = SemanticPlanner(load_semantic_layer(tmp_path), "duckdb", now=lambda: NOW)
    decision = planner.decide("Total fee of orders by segment")
    assert isinstance(decision, Planned), decision
    assert "SUM(o.o_fee)" in decision.sql and "cents" not in decision.sql


def test_unique_counts_over_a_table_that_is_also_a_metric(support_planner: SemanticPlanner
                                                         ) -> None:
    decision = support_planner.decide("How many unique organizations opened tickets last month?")
    assert isinstance(decision, Planned), decision
    assert "COUNT(DISTINCT o.id)" in decision.sql and "FROM tickets" in decision.sql
