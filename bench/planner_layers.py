"""Semantic planner on layers `atlas init` wrote (issue 19): question -> plan -> SQL (no
database) over the TPC-H and Chinook evaluation questions, and the time to build the planner's
index for a 60-entity layer.

The two sample databases are built and `atlas init` is run on them as the evaluation does
(about 40 s); the 60-entity layer is synthesized in the shape `atlas init` writes (twelve
domains of five tables: keys, statuses with sample values, money in cents and in numeric,
timestamps, booleans, declared joins). Goals (issue 19): p95 <= 20 ms, index <= 1 s.

Run: ``.venv/bin/python bench/planner_layers.py``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from atlas_query.planner import SemanticPlanner
from atlas_query.semantic import load_semantic_layer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.query.planner.fixtures import init_layer  # noqa: E402

EVAL = ROOT / "tests" / "query" / "planner"
ROUNDS = 5
DOMAINS = ("sales", "billing", "support", "inventory", "marketing", "hr", "shipping",
           "finance", "catalog", "analytics", "identity", "ops")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_set(name: str, workdir: Path) -> list[float]:
    data = yaml.safe_load((EVAL / f"eval_{name}.yaml").read_text(encoding="utf-8"))
    now = datetime.fromisoformat(data["now"])
    database = workdir / f"{name}.duckdb"
    init_layer.builder(name)(database, now)
    started = time.perf_counter()
    layer = load_semantic_layer(init_layer.layer_folder(database))
    planner = SemanticPlanner(layer, "duckdb", now=lambda: now)
    built_ms = (time.perf_counter() - started) * 1000
    questions = [case["q"] for case in data["cases"]]
    for question in questions:  # warm-up: lazily parsed layer SQL, suggestions
        planner.decide(question)
    samples = []
    for _ in range(ROUNDS):
        for question in questions:
            started = time.perf_counter()
            planner.decide(question)
            samples.append((time.perf_counter() - started) * 1000)
    print(f"{name:<8} {len(questions):>4} questions x {ROUNDS}  p50 "
          f"{statistics.median(samples):6.2f} ms  p95 {percentile(samples, 0.95):6.2f} ms  "
          f"max {max(samples):6.2f} ms  (loaded + index built in {built_ms:.0f} ms)")
    return samples


def _dim(name: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "sql": name, "type": kind, **extra}


def _entity(domain: str, table: str, target: str | None) -> dict[str, Any]:
    name = f"{domain}_{table}"
    dims = [_dim("id", "number", primary_key=True),
            _dim("status", "string", sample_values=["open", "closed", "pending", "void"],
                 description=f"State of the {table[:-1]}. Also state."),
            _dim("amount_cents", "number", description="Amount in cents."),
            _dim("amount", "number", semantic_type="currency"),
            _dim("created_at", "timestamp", description=f"When the {table[:-1]} was created."),
            _dim("is_active", "boolean"), _dim("title", "string")]
    joins = []
    if target is not None:
        dims.append(_dim("parent_id", "number", description=f"References {target}.id."))
        joins.append({"target_entity": target, "relationship": "many_to_one",
                      "join_columns": {"from": "parent_id", "to": "id"}})
    return {"name": name, "type": "fact_table", "table": name,
            "description": f"{domain} {table} (also called {domain} records).",
            "dimensions": dims, "joins": joins,
            "measures": [{"name": f"{name}_count", "sql": "id", "type": "count_distinct"},
                         {"name": f"total_amount_{table}", "sql": "amount", "type": "sum"}]}


def wide_layer(root: Path) -> Path:
    """Sixty entities in `atlas init`'s shape: twelve domains of five linked tables."""
    (root / "entities").mkdir(parents=True)
    chain = {"accounts": None, "items": "accounts", "events": "items", "notes": "items",
             "tags": None}
    for domain in DOMAINS:
        for table, parent in chain.items():
            entity = _entity(domain, table, f"{domain}_{parent}" if parent else None)
            (root / "entities" / f"{domain}_{table}.yml").write_text(yaml.safe_dump(entity))
    return root


def bench_index(workdir: Path) -> None:
    layer = load_semantic_layer(wide_layer(workdir / "wide"))
    times, firsts = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        planner = SemanticPlanner(layer, "duckdb")
        times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        planner.decide("Total amount of billing events by status last month")
        firsts.append((time.perf_counter() - started) * 1000)
    print(f"index of a {len(layer.entities)}-entity layer: median "
          f"{statistics.median(times):.0f} ms  max {max(times):.0f} ms  (x {ROUNDS}); "
          f"first question after it: median {statistics.median(firsts):.1f} ms")


def main() -> None:
    print("semantic planner on atlas init layers: question -> plan -> SQL, no database")
    with tempfile.TemporaryDirectory(prefix="atlas-planner-layers-") as tmp:
        everything: list[float] = []
        for name in ("tpch", "chinook"):
            everything += bench_set(name, Path(tmp))
        print(f"all      {len(everything) // ROUNDS:>4} questions x {ROUNDS}  p50 "
              f"{statistics.median(everything):6.2f} ms  p95 "
              f"{percentile(everything, 0.95):6.2f} ms")
        bench_index(Path(tmp))


if __name__ == "__main__":
    main()
