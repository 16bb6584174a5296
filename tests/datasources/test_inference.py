"""Foreign keys inferred from names and value overlap: the hand-checked list, and no more."""

from __future__ import annotations

import pytest
from atlas_datasources.inference import OVERLAP_THRESHOLD
from atlas_datasources.model import DatabaseProfile
from atlas_datasources.naming import match_strength, singular

from tests.datasources import shop


def test_inferred_keys_are_the_hand_checked_list(shop_profile: DatabaseProfile) -> None:
    inferred = {
        (t.name, k.columns[0]): (k.ref_table, k.ref_columns[0])
        for t in shop_profile.tables
        for k in t.foreign_keys
        if k.inferred
    }
    expected = dict(shop.INFERRED)
    if shop_profile.dialect == "postgres":
        expected[("order_totals", "customer_id")] = ("customers", "id")
    assert inferred == expected
    for t in shop_profile.tables:
        for key in t.foreign_keys:
            if key.inferred:
                assert key.overlap is not None and key.overlap >= OVERLAP_THRESHOLD
            else:
                assert key.overlap is None


def test_a_declared_key_is_not_inferred_again(shop_profile: DatabaseProfile) -> None:
    orders = next(t for t in shop_profile.tables if t.name == "orders")
    assert [k.inferred for k in orders.foreign_keys] == [False]


def test_names_that_match_but_values_that_do_not(shop_profile: DatabaseProfile) -> None:
    shipments = next(t for t in shop_profile.tables if t.name == "shipments")
    assert shipments.foreign_keys == []  # warehouse_id's values are not warehouses' ids


@pytest.mark.parametrize(
    ("column", "table", "key", "strength"),
    [
        ("CustomerId", "Customer", "CustomerId", 3),
        ("customerid", "Customer", "CustomerId", 3),
        ("customer_id", "customers", "id", 2),
        ("category_id", "categories", "id", 2),
        ("address_key", "addresses", "id", 2),
        ("o_custkey", "customer", "c_custkey", 1),
        ("ps_partkey", "part", "p_partkey", 1),
        ("id", "customers", "id", 0),
        ("status", "orders", "id", 0),
        ("SupportRepId", "Employee", "EmployeeId", 0),
        ("customer_id", "orders", "id", 0),
    ],
)
def test_name_rules(column: str, table: str, key: str, strength: int) -> None:
    assert match_strength(column, table, key) == strength


def test_singular() -> None:
    words = ["customers", "categories", "addresses", "boxes", "statuses", "status", "class"]
    assert [singular(w) for w in words] == [
        "customer", "category", "address", "box", "status", "status", "class"
    ]  # fmt: skip
