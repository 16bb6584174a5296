"""The plans file: the example loads; every problem is one message naming place and problem;
a file that drops a subscribed plan is refused; without a file, the built-in plan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from atlas_common.db import create_pool, migrate
from atlas_entitlements import repository
from atlas_entitlements.catalog_loader import load_catalog
from atlas_entitlements.main import MIGRATIONS, SCHEMA
from atlas_entitlements.plans import BUILT_IN, PlansFileError, load_plans_file, parse_plans
from tests.entitlements.support import PLANS, write_plans
from tests.support.isolation import Isolation, create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "plans.example.yaml"


def test_the_example_file_is_the_one_of_plans_md() -> None:
    catalog = load_plans_file(str(EXAMPLE))
    assert catalog.default_plan == "free"
    assert set(catalog.plans) == {"free", "team", "enterprise"}
    assert catalog.features["queries"].reset == "month"
    assert catalog.features["api-keys"].type == "gauge"
    team = catalog.plans["team"].features
    assert team["queries"].policy == "soft" and team["queries"].limit == 10000
    assert catalog.plans["enterprise"].features["queries"].unlimited
    assert "data-explorer" not in catalog.plans["free"].features  # not listed: not in the plan


BROKEN = [
    ("queries: {limit: 3}", "queries: {limt: 3}", "plans.free.features.queries.limt",
     "unknown key"),
    ("queries: {limit: 3}", "queries: {limit: -3}", "plans.free.features.queries.limit",
     "greater than or equal to 0"),
    ("queries: {limit: 3}", "queries: {}", "plans.free.features.queries", "exactly one of"),
    ("queries: {limit: 3}", "queries: true", "plans.free.features.queries",
     "a limit is never implied"),
    ("queries: {limit: 3}", "queries: {limit: 3, unlimited: true}",
     "plans.free.features.queries", "exactly one of"),
    ("query: true\n      queries: {limit: 3}", "query: {limit: 1}\n      queries: {limit: 3}",
     "plans.free.features.query", "boolean feature"),
    ("      data-explorer: true\n", "      data-exploror: true\n",
     "plans.team.features.data-exploror", "unknown feature 'data-exploror'"),
    ("{type: gauge,", "{type: gauge, reset: month,", "features.api-keys.reset",
     "only a metered feature resets"),
    ("{type: metered, reset: day}", "{type: metered, reset: hourly}", "features.daily.reset",
     "Input should be"),
    ("  team:\n", "  team:\n    default: true\n", "plans.team.default", "only one plan"),
    ("  solo:\n", "  free:\n", "plans.free", "duplicate key 'free'"),
    ("{type: boolean}", "{type: boolean", "", "not valid YAML"),
]


@pytest.mark.parametrize(("old", "new", "place", "problem"), BROKEN)
def test_a_broken_file_is_one_message_naming_place_and_problem(
    old: str, new: str, place: str, problem: str
) -> None:
    assert old in PLANS
    with pytest.raises(PlansFileError) as caught:
        parse_plans(PLANS.replace(old, new, 1), "/etc/atlas/plans.yaml")
    message = str(caught.value)
    assert message.startswith("ATLAS_PLANS_FILE /etc/atlas/plans.yaml line ")
    assert f"({place})" in message if place else "line" in message
    assert problem in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "the file is empty"), ("- a\n- b\n", "must be a mapping"),
     ("features: {}\nplans: {}\n", "at least one plan")],
)
def test_empty_and_shapeless_files(text: str, problem: str) -> None:
    with pytest.raises(PlansFileError, match=problem):
        parse_plans(text, "p.yaml")


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(PlansFileError, match="cannot read the file"):
        load_plans_file(str(tmp_path / "nope.yaml"))


def test_start_up_stops_with_one_line_and_exit_code_2(tmp_path: Path) -> None:
    path = write_plans(tmp_path, PLANS.replace("queries: {limit: 3}", "queries: {limit: x}"))
    done = subprocess.run(
        [str(Path(sys.executable).parent / "atlas-entitlements")],
        env={"ATLAS_PLANS_FILE": str(path), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "limit: x" in text)
    assert lines[0].startswith(f"atlas-entitlements: ATLAS_PLANS_FILE {path} line {line} ")
    assert "(plans.free.features.queries.limit)" in lines[0]


@pytest.fixture
def fresh_db(isolation: Isolation) -> str:
    name = f"{isolation.name}_plans"
    url = create_database(name)
    yield url  # type: ignore[misc]
    drop_database(name)


async def test_a_file_dropping_a_subscribed_plan_is_refused(fresh_db: str, tmp_path: Path) -> None:
    pool = await create_pool(fresh_db, max_size=2)
    try:
        await migrate(pool, SCHEMA, MIGRATIONS)
        first, changed = await load_catalog(pool, str(write_plans(tmp_path)))
        assert changed and first.version > 0
        again, changed = await load_catalog(pool, str(write_plans(tmp_path)))
        assert not changed and again.version == first.version  # same file: nothing moves
        async with pool.acquire() as conn:
            await repository.bump_version(conn, "acme")
            await repository.set_subscription(conn, "acme", "team")
        without_team = PLANS.split("  team:")[0] + "  solo:" + PLANS.split("  solo:")[1]
        with pytest.raises(PlansFileError) as caught:
            await load_catalog(pool, str(write_plans(tmp_path, without_team, "v2.yaml")))
        assert "drops plan 'team'" in str(caught.value) and "'acme'" in str(caught.value)
        kept = await repository.read_catalog(pool)
        assert "team" in kept.plans and kept.version == first.version  # nothing was changed
        bigger = PLANS.replace("queries: {limit: 3}", "queries: {limit: 4}")
        third, changed = await load_catalog(pool, str(write_plans(tmp_path, bigger, "v3.yaml")))
        assert changed and third.version > first.version
        assert third.plans["free"].features["queries"].limit == 4
    finally:
        await pool.close()


async def test_without_a_file_the_built_in_plan_serves_everything(fresh_db: str) -> None:
    pool = await create_pool(fresh_db, max_size=2)
    try:
        catalog, changed = await load_catalog(pool, "")
    finally:
        await pool.close()
    assert catalog is BUILT_IN and not changed
    assert catalog.open and catalog.default_plan == "self-hosted"

