"""A metric's SQL with dimensions and filters: built on the parsed tree, values as literals,
only the entity's columns."""

from __future__ import annotations

import pytest

from atlas_common.errors import InvalidRequest
from atlas_query.api.metric_sql import compose
from atlas_query.semantic.models import Dimension, Entity

USERS = Entity(name="Users", table="users", dimensions=[
    Dimension(name="plan", sql="plan"), Dimension(name="country", sql="country"),
    Dimension(name="signup_month", sql="date_trunc('month', created_at)", virtual=True),
])
SQL = "SELECT COUNT(*) AS signups FROM users"


def test_no_dimensions_or_filters_leave_the_sql_alone() -> None:
    assert compose(SQL, "duckdb", None, [], {}) == SQL


def test_dimensions_are_selected_first_and_grouped() -> None:
    sql = compose(SQL, "duckdb", USERS, ["plan", "signup_month"], {})
    assert sql.startswith("SELECT plan AS plan, DATE_TRUNC('MONTH', created_at) AS signup_month")
    assert "GROUP BY plan, DATE_TRUNC('MONTH', created_at)" in sql


def test_filters_are_literals_and_lists_become_in() -> None:
    sql = compose(SQL, "duckdb", USERS, [], {"plan": "pro' OR 1=1 --", "country": ["DE", "FR"]})
    assert "plan = 'pro'' OR 1=1 --'" in sql and "country IN ('DE', 'FR')" in sql
    assert "plan IS NULL" in compose(SQL, "duckdb", USERS, [], {"plan": None})


@pytest.mark.parametrize(("dimensions", "filters"), [
    (["password"], {}), ([], {"1=1; DROP TABLE users": 1}),
])
def test_only_columns_of_the_entity(dimensions: list[str], filters: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest, match="not a column"):
        compose(SQL, "duckdb", USERS, dimensions, filters)  # type: ignore[arg-type]


def test_a_metric_without_an_entity_or_not_a_select_takes_none() -> None:
    with pytest.raises(InvalidRequest, match="no source entity"):
        compose(SQL, "duckdb", None, ["plan"], {})
    with pytest.raises(InvalidRequest, match="one SELECT"):
        compose(SQL + " UNION ALL " + SQL, "duckdb", USERS, ["plan"], {})
