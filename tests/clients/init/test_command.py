"""``atlas init`` end to end on SQLite and DuckDB files: the written layer loads, re-runs keep
hand edits and show what changed, --dry-run writes nothing, --json parses, errors are one line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import duckdb
import pytest

from atlas_query.semantic import load_semantic_layer
from tests.clients.init.run import files, init

SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, country TEXT, created_at TIMESTAMP);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id),
    status TEXT, total_cents INTEGER, created_at TIMESTAMP);
INSERT INTO users VALUES (1, 'a@x', 'France', '2025-01-01'), (2, 'b@x', 'Japan', '2025-02-01');
INSERT INTO orders VALUES (1, 1, 'paid', 1200, '2025-01-02'), (2, 2, 'cancelled', 800,
    '2025-02-02'), (3, 2, 'paid', 500, '2025-03-02');
"""


def sqlite_db(path: Path, script: str = SCHEMA) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(script)
    return path


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return sqlite_db(tmp_path / "shop.sqlite")


def test_first_run_writes_a_layer_that_loads(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "semantic"
    r = init("--url", f"sqlite:///{shop}", output=out)
    assert r.exit_code == 0, r.output
    assert "Wrote" in r.stdout and "entities/orders.yml (new)" in r.stdout
    assert "[2/2] users: 2 rows" in r.stderr  # plain progress lines when not on a terminal
    layer = load_semantic_layer(out)
    assert layer.warnings == []
    orders = layer.entity("Orders")
    assert orders is not None and orders.table == "orders"
    assert {(j.target_entity, j.relationship) for j in orders.joins} == {("Users", "many_to_one")}
    status = next(d for d in orders.dimensions if d.name == "status")
    assert sorted(status.sample_values) == ["cancelled", "paid"]
    assert layer.starter_prompts == ["How many orders are there?", "How many users are there?"]
    assert sorted(files(out)) == [
        ".atlas-init.json",
        "catalog.yml",
        "entities/orders.yml",
        "entities/users.yml",
        "glossary.yml",
        "metrics/counts.yml",
    ]


def test_json_is_a_summary_and_nothing_else(shop: Path, tmp_path: Path) -> None:
    r = init("--url", str(shop), "--json", output=tmp_path / "semantic")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary | {"seconds": 0} == summary | {
        "database": f"sqlite:///{shop}",
        "dialect": "sqlite",
        "dryRun": False,
        "tables": 2,
        "entities": 2,
        "joinsDeclared": 2,
        "joinsInferred": 0,
        "seconds": 0,
    }
    assert summary["measures"] >= 4 and summary["warnings"] == []
    assert set(summary["filesWritten"]) == {
        "entities/orders.yml",
        "entities/users.yml",
        "catalog.yml",
        "glossary.yml",
        "metrics/counts.yml",
    }
    assert summary["changes"]["firstRun"] is True
    assert r.stderr == ""  # --json: no progress lines either


def test_dry_run_writes_nothing(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "semantic"
    r = init("--url", str(shop), "--dry-run", output=out)
    assert r.exit_code == 0, r.output
    assert "Would write" in r.stdout and "Dry run: nothing written." in r.stdout
    assert not out.exists()


def test_rerun_keeps_hand_edits_and_shows_what_changed(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "semantic"
    assert init("--url", str(shop), output=out).exit_code == 0
    orders_file = out / "entities/orders.yml"
    edited = orders_file.read_text().replace(
        "description: 'Table orders: 3 rows.'",
        "description: Purchases, hand written.  # reviewed by Ada",
    )
    assert edited != orders_file.read_text()
    orders_file.write_text(edited)
    sqlite_db(
        shop,
        "CREATE TABLE refunds (id INTEGER PRIMARY KEY, order_id INTEGER "
        "REFERENCES orders(id), amount_cents INTEGER);"
        "ALTER TABLE orders ADD COLUMN coupon TEXT;",
    )

    r = init("--url", str(shop), output=out)
    assert r.exit_code == 0, r.output
    assert "+ table refunds" in r.stdout and "+ column orders.coupon" in r.stdout
    assert "+ foreign key refunds.order_id -> orders.id" in r.stdout
    assert (out / "entities/refunds.yml").is_file()
    assert orders_file.read_text() == edited  # no --force: existing files untouched

    r = init("--url", str(shop), "--force", output=out)
    assert r.exit_code == 0, r.output
    text = orders_file.read_text()
    assert "description: Purchases, hand written.  # reviewed by Ada" in text
    layer = load_semantic_layer(out)
    orders = layer.entity("Orders")
    assert orders is not None and "coupon" in {d.name for d in orders.dimensions}
    assert ("Refunds", "one_to_many") in {(j.target_entity, j.relationship) for j in orders.joins}
    catalog = layer.sources[0].catalog
    assert catalog is not None and "Refunds" in {e.name for e in catalog.entities}

    r = init("--url", str(shop), output=out)
    assert "No change in the database" in r.stdout and "Wrote" not in r.stdout


def test_a_deleted_guess_stays_deleted_and_drops_are_marked(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "semantic"
    assert init("--url", str(shop), output=out).exit_code == 0
    orders_file = out / "entities/orders.yml"
    text = orders_file.read_text()
    start = text.index("  - name: avg_order_total")
    end = text.index("  - name: ", start + 5)
    orders_file.write_text(text[:start] + text[end:])  # a person deletes a guessed measure
    sqlite_db(shop, "ALTER TABLE orders DROP COLUMN status;")

    r = init("--url", str(shop), "--force", output=out)
    assert r.exit_code == 0, r.output
    assert "- column orders.status" in r.stdout
    orders = load_semantic_layer(out).entity("Orders")
    assert orders is not None
    assert "avg_order_total" not in {m.name for m in orders.measures}
    merged = orders_file.read_text()
    assert "x-atlas-dropped:" in merged.split("- name: status", 1)[1].split("- name:", 1)[0]


def test_demo_profiles_the_demo_file_without_its_bookkeeping(tmp_path: Path) -> None:
    demo = tmp_path / "demo.duckdb"
    with duckdb.connect(str(demo)) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, plan VARCHAR)")
        conn.execute("INSERT INTO users VALUES (1, 'free'), (2, 'pro')")
        conn.execute("CREATE TABLE atlas_demo_meta (generated_at TIMESTAMP, version INTEGER)")
    out = tmp_path / "semantic"
    r = init("--demo", output=out, ATLAS_DEMO_DB_PATH=str(demo))
    assert r.exit_code == 0, r.output
    assert sorted(files(out / "entities")) == ["users.yml"]
    r = init("--demo", output=tmp_path / "x", ATLAS_DEMO_DB_PATH=str(tmp_path / "none.duckdb"))
    assert r.exit_code == 2 and "does not exist yet" in r.stderr


def test_datasource_url_comes_from_the_environment(shop: Path, tmp_path: Path) -> None:
    r = init("--json", output=tmp_path / "s", ATLAS_DATASOURCE_URL=f"sqlite:///{shop}")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["tables"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--url", "sqlite:///no/such/file.sqlite"), "does not exist"),
        ((), "no database: pass --url URL, set ATLAS_DATASOURCE_URL, or use --demo"),
        (("--url", "oracle://x/y"), "unsupported datasource scheme"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    r = init(*args, output=tmp_path / "semantic")
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output
    assert not (tmp_path / "semantic").exists()
