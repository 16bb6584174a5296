"""Shared fixtures of the planner tests: the layers, a fixed clock, generated databases."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from atlas_query.demo import SEMANTIC_ROOT, generate_demo
from atlas_query.planner import SemanticPlanner
from atlas_query.semantic import SemanticLayer, load_semantic_layer
from tests.query.planner.fixtures.support.generate import SUPPORT_SEMANTIC_ROOT

DEMO_NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday
SUPPORT_NOW = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)  # a Sunday


@pytest.fixture(scope="session")
def demo_layer() -> SemanticLayer:
    return load_semantic_layer(SEMANTIC_ROOT)


@pytest.fixture(scope="session")
def support_layer() -> SemanticLayer:
    return load_semantic_layer(SUPPORT_SEMANTIC_ROOT)


@pytest.fixture(scope="session")
def demo_planner(demo_layer: SemanticLayer) -> SemanticPlanner:
    return SemanticPlanner(demo_layer, "duckdb", now=lambda: DEMO_NOW)


@pytest.fixture(scope="session")
def support_planner(support_layer: SemanticLayer) -> SemanticPlanner:
    return SemanticPlanner(support_layer, "duckdb", now=lambda: SUPPORT_NOW)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("planner-demo") / "demo.duckdb"
    generate_demo(path, DEMO_NOW)
    return path


@pytest.fixture(scope="session")
def demo_reference(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo database for hand-written reference SQL (a separate DuckDB
    instance from the executor's locked, read-only one)."""
    path = tmp_path_factory.mktemp("planner-reference") / "reference.duckdb"
    shutil.copy(demo_db, path)
    return path
