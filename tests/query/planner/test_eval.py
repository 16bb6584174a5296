"""The evaluation sets as tests: the thresholds the planner must hold on each set (no
confident wrong answer; at least 80% right, the goal being 90%), and the make-up of the sets.

The follow-up sets (conversations, ``eval_followups.yaml``) are held to the same thresholds.
``python -m tests.query.planner.evaluate`` prints the same run question by question."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.query.planner.evaluate import (
    FOLLOWUP_SETS,
    SAMPLE_SETS,
    SETS,
    Report,
    evaluate,
    load_cases,
)

CAPABILITIES = ("count", "breakdown", "time_series", "relative_range", "absolute_range",
                "top_n", "filter", "comparison", "join", "metric_verbatim", "metric_composed",
                "metric_declined", "clarify", "cannot")
FOLLOWUP_CAPABILITIES = ("followup_range", "followup_filter", "followup_breakdown",
                         "followup_topn", "followup_standalone")
MIN_RIGHT = 0.80
# Layers written by `atlas init` (issue 19): each held at what it reached, rounded down; the
# goal is 0.90. A set joins once it reaches 0.70.
SAMPLE_FLOORS = {"tpch": 1.0, "chinook": 0.95}
HELD_SAMPLE_SETS = [s for s in SAMPLE_SETS if s.name in SAMPLE_FLOORS]


@pytest.fixture(scope="module", params=SETS + FOLLOWUP_SETS + HELD_SAMPLE_SETS,
                ids=lambda s: s.name)
async def report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Report:
    return await evaluate(request.param, tmp_path_factory.mktemp(request.param.name))


def test_no_confident_wrong_answer(report: Report) -> None:
    wrong = [(o.case.question, o.detail, o.sql) for o in report.confident_wrong]
    assert wrong == []


def test_right_share_meets_the_threshold(report: Report) -> None:
    misses = [(o.case.question, o.got, o.detail) for o in report.outcomes if not o.right]
    assert report.right_share >= SAMPLE_FLOORS.get(report.name, MIN_RIGHT), misses


@pytest.mark.parametrize("eval_set", SETS, ids=lambda s: s.name)
def test_each_set_covers_every_capability(eval_set: object) -> None:
    cases_file: Path = eval_set.cases_file  # type: ignore[attr-defined]
    _, cases = load_cases(cases_file)
    kinds = Counter(case.kind for case in cases)
    per_capability = Counter(c for case in cases for c in case.capabilities)
    assert all(per_capability[c] >= 5 for c in CAPABILITIES), per_capability
    assert all(case.sql for case in cases if case.kind == "answer")
    assert all(case.kind in ("answer", "clarify", "cannot") for case in cases)
    assert kinds["clarify"] >= 5 and kinds["cannot"] >= 5


def test_the_demo_set_is_large_enough() -> None:
    _, cases = load_cases(SETS[0].cases_file)
    kinds = Counter(case.kind for case in cases)
    assert len(cases) >= 80
    assert kinds["clarify"] >= 10 and kinds["cannot"] >= 10


@pytest.mark.parametrize(("eval_set", "least"), list(zip(FOLLOWUP_SETS, (25, 8), strict=True)),
                         ids=lambda s: getattr(s, "name", str(s)))
def test_the_followup_sets_are_conversations(eval_set: object, least: int) -> None:
    cases_file: Path = eval_set.cases_file  # type: ignore[attr-defined]
    _, cases = load_cases(cases_file, eval_set.section)  # type: ignore[attr-defined]
    per_capability = Counter(c for case in cases for c in case.capabilities)
    assert len(cases) >= least
    assert all(1 <= len(case.history) <= 2 for case in cases)  # two- or three-turn
    assert all(per_capability[c] >= 2 for c in FOLLOWUP_CAPABILITIES), per_capability
    assert all(case.sql for case in cases if case.kind == "answer")
