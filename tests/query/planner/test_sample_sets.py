"""The evaluation sets on layers no one here wrote (TPC-H and Chinook, issue 19): what they are
made of, that every hand-written SQL runs on the loaded data and returns rows, and that the
layer ``atlas init`` writes, with the hand overlay, loads.

Evaluation only: the planner's score on these sets is not asserted here (it is printed by
``make eval`` and recorded in docs/planner-evaluation.md) until the planner work of issue 19
holds them to test_eval.py's thresholds.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import yaml

from atlas_query.semantic import load_semantic_layer
from tests.query.planner.evaluate import SAMPLE_SETS, EvalSet, load_cases
from tests.query.planner.fixtures import init_layer
from tests.support.sample_schemas.databases import SampleDatabases

# The skills issue 19 lists; every set asks each of them at least twice.
SKILLS = (
    "count",
    "sum",
    "average",
    "median",
    "min_max",
    "count_distinct",
    "ranking_verb",
    "threshold",
    "having",
    "period_over_period",
    "weekday",
    "multi_measure",
    "units",
    "join",
    "breakdown",
)
KINDS = ("answer", "clarify", "cannot")


@pytest.fixture(scope="module", params=SAMPLE_SETS, ids=lambda s: s.name)
def built(
    request: pytest.FixtureRequest,
    sample_databases: SampleDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[EvalSet, Path]:
    """A copy of the session's DuckDB file of the schema (as `make eval` builds it) and, beside
    it, the layer `atlas init` writes for it with the overlay applied."""
    eval_set: EvalSet = request.param
    loaded = sample_databases.get(eval_set.name, "duckdb", declared_fks=True).path
    assert loaded is not None
    path = tmp_path_factory.mktemp(f"sample-{eval_set.name}") / f"{eval_set.name}.duckdb"
    shutil.copy(loaded, path)
    init_layer.write_layer(path, eval_set.layer_for(path), init_layer.overlay_file(eval_set.name))
    return eval_set, path


@pytest.mark.parametrize("eval_set", SAMPLE_SETS, ids=lambda s: s.name)
def test_each_set_asks_the_new_skills(eval_set: EvalSet) -> None:
    _, cases = load_cases(eval_set.cases_file)
    kinds = Counter(case.kind for case in cases)
    skills = Counter(c for case in cases for c in case.capabilities)
    assert len(cases) >= 40
    assert set(kinds) <= set(KINDS) and kinds["clarify"] >= 5 and kinds["cannot"] >= 5
    assert {s: skills[s] for s in SKILLS if skills[s] < 2} == {}
    assert skills["rate"] + skills["share"] >= 4
    assert all(case.sql for case in cases if case.kind == "answer")
    assert all(case.sql is None for case in cases if case.kind != "answer")
    assert len({case.question for case in cases}) == len(cases)


def test_every_hand_written_sql_returns_rows(built: tuple[EvalSet, Path]) -> None:
    eval_set, path = built
    _, cases = load_cases(eval_set.cases_file)
    empty = []
    with duckdb.connect(str(path), read_only=True) as conn:
        for sql, question in ((c.sql, c.question) for c in cases if c.sql):
            rows = conn.execute(sql).fetchall()
            if not rows or all(value in (None, 0) for value in rows[0]):
                empty.append(question)
    assert empty == []


def test_the_generated_layer_loads_with_its_overlay(built: tuple[EvalSet, Path]) -> None:
    eval_set, path = built
    root = eval_set.layer_for(path)
    layer = load_semantic_layer(root)
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = {row[0].lower() for row in conn.execute("SHOW TABLES").fetchall()}
    assert {e.table.split(".")[-1].strip('"').lower() for e in layer.entities} == tables
    overlay = yaml.safe_load(init_layer.overlay_file(eval_set.name).read_text(encoding="utf-8"))
    assert set(overlay.get("glossary", {})) <= set(layer.glossary)


def test_an_overlay_naming_what_init_did_not_write_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "entities").mkdir()
    entity = {"name": "Orders", "table": "orders", "dimensions": [{"name": "status"}]}
    (tmp_path / "entities" / "orders.yml").write_text(yaml.safe_dump(entity), encoding="utf-8")
    init_layer.apply_overlay(
        tmp_path,
        {"entities": {"ORDERS": {"dimensions": {"status": {"description": 'Also "state".'}}}}},
    )
    patched = yaml.safe_load((tmp_path / "entities" / "orders.yml").read_text(encoding="utf-8"))
    assert patched["dimensions"] == [{"name": "status", "description": 'Also "state".'}]
    with pytest.raises(init_layer.OverlayError, match="no 'state'"):
        init_layer.apply_overlay(tmp_path, {"entities": {"orders": {"dimensions": {"state": {}}}}})
    with pytest.raises(init_layer.OverlayError, match="no entity for table 'users'"):
        init_layer.apply_overlay(tmp_path, {"entities": {"users": {"description": "x"}}})
