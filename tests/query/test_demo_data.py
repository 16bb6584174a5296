"""The demo database: deterministic generation, data invariants, provisioning, and its layer.

Provisioning is exercised with real OS processes; the semantic layer is checked with duckdb and
PyYAML only (its SQL must run on a generated database and return rows).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
import yaml

from atlas_query.demo import DEMO_VERSION, SEMANTIC_ROOT, ensure_demo_database, generate_demo

TABLES = ("users", "categories", "products", "orders", "order_items", "atlas_demo_meta")
FIXED_NOW = datetime(2025, 6, 11, 14)
GENERATED = "generated demo database"


def _current_hour() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


def _checksums(path: Path) -> dict[str, Any]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            table: con.execute(
                f"SELECT count(*), md5(string_agg(CAST(t AS VARCHAR), '|' "
                f"ORDER BY CAST(t AS VARCHAR))) FROM {table} t"
            ).fetchone()
            for table in TABLES
        }
    finally:
        con.close()


def _attached(path: Path) -> duckdb.DuckDBPyConnection:
    # A fresh instance per call: duckdb.connect(path) would reuse a cached instance that may
    # still point at a replaced file's old inode.
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{path}' AS demo (READ_ONLY)")
    con.execute("USE demo")
    return con


def _generated_at(path: Path) -> datetime:
    con = _attached(path)
    try:
        value = _scalar(con, "SELECT generated_at FROM atlas_demo_meta")
    finally:
        con.close()
    assert isinstance(value, datetime)
    return value


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A demo database generated for the current hour, so "last week" SQL finds rows."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    generate_demo(path, _current_hour())
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


# --- generation -------------------------------------------------------------------------


def test_generation_is_deterministic_for_the_same_now_and_seed(tmp_path: Path) -> None:
    generate_demo(tmp_path / "a.duckdb", FIXED_NOW, seed=7)
    generate_demo(tmp_path / "b.duckdb", FIXED_NOW, seed=7)
    generate_demo(tmp_path / "c.duckdb", FIXED_NOW, seed=8)
    a, b, c = (_checksums(tmp_path / f"{n}.duckdb") for n in "abc")
    assert a == b
    assert a["users"] != c["users"] and a["orders"] != c["orders"]


@pytest.mark.parametrize(
    ("table", "low", "high"),
    [("users", 5_000, 7_000), ("categories", 10, 10), ("products", 200, 200),
     ("orders", 35_000, 45_000), ("order_items", 85_000, 115_000), ("atlas_demo_meta", 1, 1)],
)
def test_row_counts_are_within_bounds(
    demo: duckdb.DuckDBPyConnection, table: str, low: int, high: int
) -> None:
    assert low <= _scalar(demo, f"SELECT count(*) FROM {table}") <= high


def test_meta_records_generation(demo: duckdb.DuckDBPyConnection) -> None:
    row = demo.execute("SELECT generated_at, seed, version FROM atlas_demo_meta").fetchall()
    assert row == [(_scalar(demo, "SELECT generated_at FROM atlas_demo_meta"), 42, DEMO_VERSION)]


@pytest.mark.parametrize(
    "sql",
    [
        # orders after their user's signup, and every order's user exists
        "SELECT count(*) FROM orders o LEFT JOIN users u ON u.id = o.user_id "
        "WHERE u.id IS NULL OR o.created_at <= u.created_at",
        # nothing in the future of the generation time
        "SELECT (SELECT count(*) FROM users WHERE created_at > m.generated_at)"
        " + (SELECT count(*) FROM orders WHERE created_at > m.generated_at)"
        " + (SELECT count(*) FROM products WHERE created_at > m.generated_at)"
        " FROM atlas_demo_meta m",
        # signups lie within the year before generation
        "SELECT count(*) FROM users, atlas_demo_meta m "
        "WHERE created_at < m.generated_at - INTERVAL 366 DAY",
        # an order's total is the sum of its items, and every order has items
        "SELECT count(*) FROM orders o LEFT JOIN (SELECT order_id, "
        "sum(quantity * unit_price_cents) AS s FROM order_items GROUP BY order_id) i "
        "ON i.order_id = o.id WHERE i.s IS DISTINCT FROM o.total_cents",
        # an order's country is its user's country
        "SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id "
        "WHERE o.country <> u.country",
        # every item points at an existing order and product; every product at a category
        "SELECT (SELECT count(*) FROM order_items i LEFT JOIN orders o ON o.id = i.order_id "
        "LEFT JOIN products p ON p.id = i.product_id WHERE o.id IS NULL OR p.id IS NULL)"
        " + (SELECT count(*) FROM products p LEFT JOIN categories c ON c.id = p.category_id "
        "WHERE c.id IS NULL)",
        # quantities and prices are positive
        "SELECT count(*) FROM order_items WHERE quantity < 1 OR unit_price_cents < 1",
    ],
    ids=["order-after-signup", "no-future", "one-year", "totals", "country", "references",
         "positive"],
)
def test_invariant_holds(demo: duckdb.DuckDBPyConnection, sql: str) -> None:
    assert _scalar(demo, sql) == 0


def test_signups_grow_and_dip_on_weekends(demo: duckdb.DuckDBPyConnection) -> None:
    first, last = demo.execute(
        "SELECT count(*) FILTER (WHERE created_at < m.generated_at - INTERVAL 270 DAY),"
        " count(*) FILTER (WHERE created_at >= m.generated_at - INTERVAL 90 DAY)"
        " FROM users, atlas_demo_meta m"
    ).fetchone() or (0, 0)
    assert last > 1.5 * first
    weekday, weekend = demo.execute(
        "SELECT count(*) FILTER (WHERE isodow(created_at) <= 5) / 5,"
        " count(*) FILTER (WHERE isodow(created_at) >= 6) / 2 FROM users"
    ).fetchone() or (0, 0)
    assert weekend < 0.8 * weekday


def test_most_orders_are_delivered(demo: duckdb.DuckDBPyConnection) -> None:
    share = _scalar(demo, "SELECT avg(CASE WHEN status = 'delivered' THEN 1 ELSE 0 END) "
                          "FROM orders")
    assert share > 0.7


@pytest.mark.parametrize(
    "now",
    [datetime(2025, 6, 9, 0), datetime(2025, 6, 15, 23), datetime(2024, 2, 29, 12)],
    ids=["monday-midnight", "sunday-late", "leap-day"],
)
def test_every_one_of_the_last_52_weeks_has_signups(tmp_path: Path, now: datetime) -> None:
    generate_demo(tmp_path / "demo.duckdb", now)
    con = duckdb.connect(str(tmp_path / "demo.duckdb"), read_only=True)
    weeks = con.execute(
        "SELECT count(DISTINCT date_trunc('week', created_at)) FROM users "
        "WHERE created_at >= date_trunc('week', ?::TIMESTAMP) - INTERVAL 364 DAY "
        "AND created_at < date_trunc('week', ?::TIMESTAMP)",
        [now, now],
    ).fetchone()
    future = _scalar(con, "SELECT count(*) FROM orders WHERE created_at > ?", [now])
    con.close()
    assert weeks == (52,)
    assert future == 0


# --- provisioning -----------------------------------------------------------------------


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.generations = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith(GENERATED):
            self.generations += 1


def _provision_in_child(path: str, barrier: Any, results: Any) -> None:
    """Runs in a spawned process: provision together with the others, report what it saw."""
    counter = _Counter()
    logger = logging.getLogger("atlas_query.demo.provision")
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    barrier.wait(timeout=60)
    result = ensure_demo_database(Path(path))
    con = _attached(result)
    users = _scalar(con, "SELECT count(*) FROM users")
    con.close()
    results.put({"generations": counter.generations, "inode": os.stat(result).st_ino,
                 "users": users, "pid": os.getpid()})


def test_concurrent_processes_generate_exactly_once(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    workers = 4
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    path = tmp_path / "demo.duckdb"
    procs = [ctx.Process(target=_provision_in_child, args=(str(path), barrier, results))
             for _ in range(workers)]
    for proc in procs:
        proc.start()
    try:
        reports = [results.get(timeout=60) for _ in procs]
    except queue.Empty:
        pytest.fail("a provisioning process did not report")
    finally:
        for proc in procs:
            proc.join(timeout=30)
    assert [proc.exitcode for proc in procs] == [0] * workers
    assert sum(r["generations"] for r in reports) == 1
    assert {r["inode"] for r in reports} == {os.stat(path).st_ino}
    assert all(r["users"] > 5_000 for r in reports)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb", "demo.lock"]


def test_old_database_is_regenerated_and_open_readers_keep_the_old_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "demo.duckdb"
    start = datetime(2025, 6, 11, 14, 35)
    caplog.set_level(logging.INFO, logger="atlas_query.demo.provision")
    ensure_demo_database(path, now=lambda: start)
    first_inode = os.stat(path).st_ino
    ensure_demo_database(path, now=lambda: start + timedelta(days=6))
    assert os.stat(path).st_ino == first_inode  # still fresh: untouched

    reader = duckdb.connect(str(path), read_only=True)  # a worker with the old file open
    ensure_demo_database(path, now=lambda: start + timedelta(days=7, hours=1))
    assert os.stat(path).st_ino != first_inode
    assert _generated_at(path) == datetime(2025, 6, 18, 15)
    assert _scalar(reader, "SELECT generated_at FROM atlas_demo_meta") == datetime(2025, 6, 11, 14)
    reader.close()
    assert sum(r.getMessage().startswith(GENERATED) for r in caplog.records) == 2


def test_database_of_another_version_is_regenerated(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    generate_demo(path, FIXED_NOW)
    con = duckdb.connect(str(path))
    con.execute("UPDATE atlas_demo_meta SET version = version - 1")
    con.close()
    ensure_demo_database(path, now=lambda: FIXED_NOW)
    con = _attached(path)
    assert _scalar(con, "SELECT version FROM atlas_demo_meta") == DEMO_VERSION
    con.close()


def test_leftovers_of_a_crashed_run_do_not_break_provisioning(tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    path.write_bytes(b"half a database from a crashed writer")  # unreadable: regenerate
    stale = [tmp_path / ".demo.duckdb.4242.deadbeef.tmp", tmp_path / ".demo.duckdb.4242.x.tmp.wal",
             tmp_path / "demo.duckdb.wal"]
    for leftover in stale:
        leftover.write_bytes(b"garbage")
    (tmp_path / "demo.lock").write_bytes(b"")  # its holder died: flock was released

    assert ensure_demo_database(path, now=lambda: FIXED_NOW) == path
    assert _generated_at(path) == FIXED_NOW
    assert not any(leftover.exists() for leftover in stale)


def test_failed_generation_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.duckdb"
    ensure_demo_database(path, now=lambda: FIXED_NOW)
    inode = os.stat(path).st_ino

    def crash(target: Path, now: datetime, seed: int = 42) -> None:
        target.write_bytes(b"partial")
        raise RuntimeError("disk full")

    monkeypatch.setattr("atlas_query.demo.provision.generate_demo", crash)
    with pytest.raises(RuntimeError, match="disk full"):
        ensure_demo_database(path, now=lambda: FIXED_NOW + timedelta(days=30))
    assert os.stat(path).st_ino == inode
    assert _generated_at(path) == FIXED_NOW
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.duckdb", "demo.lock"]


# --- the semantic layer -----------------------------------------------------------------


def _load(relative: str) -> Any:
    return yaml.safe_load((SEMANTIC_ROOT / relative).read_text())


ENTITY_FILES = sorted(p.name for p in (SEMANTIC_ROOT / "entities").glob("*.yml"))
METRIC_FILES = sorted(p.name for p in (SEMANTIC_ROOT / "metrics").glob("*.yml"))
ENTITIES = {name: _load(f"entities/{name}") for name in ENTITY_FILES}
METRICS = [m for name in METRIC_FILES for m in _load(f"metrics/{name}")["metrics"]]
PATTERNS = [(e["name"], p) for e in ENTITIES.values() for p in e.get("query_patterns", [])]
AGGREGATES = {"count": "COUNT({})", "count_distinct": "COUNT(DISTINCT {})", "sum": "SUM({})",
              "avg": "AVG({})", "min": "MIN({})", "max": "MAX({})",
              "count_where": "COUNT(*) FILTER (WHERE {})"}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                       [table]).fetchall()
    return {r[0] for r in rows}


def _runs_with_rows(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    sqlglot.parse_one(sql, read="duckdb")  # the SQL guard parses with sqlglot
    assert con.execute(sql).fetchall(), sql


def test_catalog_lists_every_entity_and_metric_file() -> None:
    catalog = _load("catalog.yml")
    assert sorted(e["file"] for e in catalog["entities"]) == [f"entities/{n}" for n in
                                                             ENTITY_FILES]
    assert sorted(m["file"] for m in catalog["metrics"]) == [f"metrics/{n}" for n in METRIC_FILES]
    assert {e["name"] for e in catalog["entities"]} == {e["name"] for e in ENTITIES.values()}
    assert (SEMANTIC_ROOT / catalog["glossary"]).is_file()
    assert len(ENTITY_FILES) == 5


def test_glossary_has_ambiguous_and_defined_terms() -> None:
    terms = _load("glossary.yml")["terms"]
    ambiguous = {k for k, v in terms.items() if v["status"] == "ambiguous"}
    defined = {k for k, v in terms.items() if v["status"] == "defined"}
    assert {"revenue", "customers", "active users"} <= ambiguous
    assert {"signups", "GMV", "AOV", "net revenue"} <= defined
    assert all(len(terms[t]["possible_mappings"]) >= 2 and terms[t]["note"] for t in ambiguous)
    assert all(terms[t]["definition"] for t in defined)


@pytest.mark.parametrize("file", ENTITY_FILES)
def test_entity_names_real_tables_and_columns(demo: duckdb.DuckDBPyConnection, file: str) -> None:
    entity = ENTITIES[file]
    columns = _columns(demo, entity["table"])
    assert columns, f"{file}: table {entity['table']} does not exist"
    for dim in entity["dimensions"]:
        if dim.get("virtual"):
            demo.execute(f"SELECT {dim['sql']} FROM {entity['table']} LIMIT 1").fetchall()
        else:
            assert dim["sql"] in columns, f"{file}: no column {dim['sql']}"
    for measure in entity["measures"]:
        aggregate = AGGREGATES[measure["type"]].format(measure["sql"])
        _runs_with_rows(demo, f"SELECT {aggregate} FROM {entity['table']}")


@pytest.mark.parametrize("file", ENTITY_FILES)
def test_entity_joins_are_real_and_keyed(demo: duckdb.DuckDBPyConnection, file: str) -> None:
    by_name = {e["name"]: e for e in ENTITIES.values()}
    entity = ENTITIES[file]
    for join in entity["joins"]:
        target = by_name[join["target_entity"]]
        src, dst = join["join_columns"]["from"], join["join_columns"]["to"]
        assert src in _columns(demo, entity["table"]) and dst in _columns(demo, target["table"])
        # the "one" side of a relationship must be unique
        one_side = {"many_to_one": (target["table"], dst), "one_to_many": (entity["table"], src)}
        table, column = one_side[join["relationship"]]
        assert _scalar(demo, f"SELECT count(*) = count(DISTINCT {column}) FROM {table}")


@pytest.mark.parametrize("file", ENTITY_FILES)
def test_sample_values_match_the_data(demo: duckdb.DuckDBPyConnection, file: str) -> None:
    entity = ENTITIES[file]
    for dim in (d for d in entity["dimensions"] if "sample_values" in d):
        found = {r[0] for r in demo.execute(
            f"SELECT DISTINCT {dim['sql']} FROM {entity['table']}").fetchall()}
        assert set(dim["sample_values"]) <= found, f"{file}: {dim['name']}"
        if "unique_count" in dim:  # the full set of values is declared
            assert found == set(dim["sample_values"]), f"{file}: {dim['name']}"


@pytest.mark.parametrize("pattern", PATTERNS, ids=[f"{e}:{p['description']}" for e, p in PATTERNS])
def test_query_pattern_runs_and_returns_rows(
    demo: duckdb.DuckDBPyConnection, pattern: tuple[str, dict[str, str]]
) -> None:
    _runs_with_rows(demo, pattern[1]["sql"])


@pytest.mark.parametrize("metric", METRICS, ids=[m["id"] for m in METRICS])
def test_metric_runs_and_names_a_real_source(
    demo: duckdb.DuckDBPyConnection, metric: dict[str, Any]
) -> None:
    _runs_with_rows(demo, metric["sql"])
    if "source" in metric:
        entity = next(e for e in ENTITIES.values() if e["name"] == metric["source"]["entity"])
        assert metric["source"]["measure"] in {m["name"] for m in entity["measures"]}


def test_revenue_metrics_agree(demo: duckdb.DuckDBPyConnection) -> None:
    sql = {m["id"]: m["sql"] for m in METRICS}
    gmv, net, refunded = (_scalar(demo, sql[k]) for k in
                          ("total_gmv", "net_revenue", "refunded_amount"))
    assert 0 < net < gmv
    assert net + refunded == pytest.approx(gmv)
