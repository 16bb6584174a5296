"""Semantic planner latency: question -> plan -> SQL (no database), over the evaluation
questions of both sets (the demo and the support desk). Prints p50 / p95 / max per set.

Run: ``uv run python bench/planner.py`` (``make bench`` runs every bench). Goal: p95 <= 20 ms.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from pathlib import Path

import yaml

from atlas_query.demo import SEMANTIC_ROOT
from atlas_query.planner import SemanticPlanner
from atlas_query.semantic import load_semantic_layer

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "tests" / "query" / "planner"
SETS = [
    ("demo", SEMANTIC_ROOT, EVAL / "eval_demo.yaml"),
    ("support", EVAL / "fixtures" / "support" / "semantic", EVAL / "eval_support.yaml"),
]
ROUNDS = 5


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench(name: str, layer_root: Path, cases_file: Path) -> list[float]:
    data = yaml.safe_load(cases_file.read_text(encoding="utf-8"))
    now = datetime.fromisoformat(data["now"])
    questions = [case["q"] for case in data["cases"]]
    started = time.perf_counter()
    planner = SemanticPlanner(load_semantic_layer(layer_root), "duckdb", now=lambda: now)
    built_ms = (time.perf_counter() - started) * 1000
    for question in questions:  # warm-up: lazily parsed layer SQL, suggestions
        planner.decide(question)
    samples = []
    for _ in range(ROUNDS):
        for question in questions:
            started = time.perf_counter()
            planner.decide(question)
            samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = statistics.median(samples), percentile(samples, 0.95)
    print(f"{name:<8} {len(questions):>4} questions x {ROUNDS}  p50 {p50:6.2f} ms"
          f"  p95 {p95:6.2f} ms  max {max(samples):6.2f} ms  (planner built in {built_ms:.0f} ms)")
    return samples


def main() -> None:
    print("semantic planner: question -> plan -> SQL, no database")
    everything: list[float] = []
    for name, layer_root, cases_file in SETS:
        everything += bench(name, layer_root, cases_file)
    p50, p95 = statistics.median(everything), percentile(everything, 0.95)
    print(f"{'all':<8} {len(everything):>4} samples         p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
