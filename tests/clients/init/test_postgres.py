"""``atlas init`` on PostgreSQL (a database of its own per run): schemas, views, quoted names,
no credential in any file, one-line errors, and ``--enrich`` against a scripted provider."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from atlas_query.semantic import load_semantic_layer
from tests.clients.init.run import files, init
from tests.e2e.agent.scripted import ScriptedProvider, say
from tests.support.isolation import create_database, drop_database

PASSWORD = "h18b-Secret-pw"
SCHEMA = """
CREATE SCHEMA archive;
CREATE TABLE customers (id serial PRIMARY KEY, name text, country text, created_at timestamptz);
COMMENT ON TABLE customers IS 'People who buy from us [[init-customers]]';
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int REFERENCES customers(id),
    status text, amount_cents int, ordered_at timestamp);
COMMENT ON COLUMN orders.status IS 'Lifecycle state of the order';
CREATE TABLE archive.orders (id int PRIMARY KEY, customer_id int REFERENCES public.customers(id));
CREATE TABLE "LineItems" ("LineId" int PRIMARY KEY, "OrderId" int REFERENCES orders(id), qty int);
CREATE VIEW paid_orders AS SELECT * FROM orders WHERE status = 'paid';
INSERT INTO customers (name, country, created_at) VALUES ('Ada', 'France', now()),
    ('Bo', 'Japan', now());
INSERT INTO orders (customer_id, status, amount_cents, ordered_at) VALUES (1, 'paid', 100, now()),
    (2, 'open', 250, now());
INSERT INTO "LineItems" VALUES (1, 1, 3), (2, 2, 1);
"""


async def _load(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """The run's own database, with a password in the URL (trust auth ignores it here, so it
    stands for one that a file could leak)."""
    name = f"atlas_init_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    try:
        asyncio.run(_load(url))
        yield url.replace("postgres@", f"postgres:{PASSWORD}@", 1)
    finally:
        drop_database(name)


def test_layer_loads_with_qualified_and_quoted_names(pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "semantic"
    r = init("--url", pg_url, output=out)
    assert r.exit_code == 0, r.output
    layer = load_semantic_layer(out)
    assert layer.warnings == []
    tables = {e.name: e.table for e in layer.entities}
    assert tables == {
        "Customers": "customers",
        "Orders": "orders",
        "LineItems": '"LineItems"',
        "PaidOrders": "paid_orders",
    }
    assert layer.entity("PaidOrders").type == "view"  # type: ignore[union-attr]
    line = layer.entity("LineItems")
    assert line is not None and {d.sql for d in line.dimensions if not d.virtual} == {
        '"LineId"',
        '"OrderId"',
        "qty",
    }
    orders = layer.entity("Orders")
    assert orders is not None
    assert {(j.target_entity, j.relationship) for j in orders.joins} >= {
        ("Customers", "many_to_one"),
        ("LineItems", "one_to_many"),
    }
    status = next(d for d in orders.dimensions if d.name == "status")
    assert status.description == "Lifecycle state of the order"  # the column's comment
    month = next(d for d in orders.dimensions if d.name == "ordered_month")
    assert month.sql == "to_char(ordered_at, 'YYYY-MM')"


def test_schema_option_profiles_another_schema(pg_url: str, tmp_path: Path) -> None:
    r = init("--url", pg_url, "--schema", "archive", "--json", output=tmp_path / "s")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["tables"] == 1
    assert (
        "archive.orders.customer_id -> customers: not profiled, no join written"
        in (summary["warnings"])
    )
    text = (tmp_path / "s/entities/orders.yml").read_text()
    assert "table: archive.orders" in text
    assert load_semantic_layer(tmp_path / "s").entity("Orders") is not None


def test_tables_option_and_no_credential_in_any_file(pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "semantic"
    r = init("--url", pg_url, "--tables", "orders,customers", output=out)
    assert r.exit_code == 0, r.output
    written = files(out)
    assert sorted(p for p in written if p.startswith("entities/")) == [
        "entities/customers.yml",
        "entities/orders.yml",
    ]
    assert all(PASSWORD not in text for text in written.values())
    assert PASSWORD not in r.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("postgres:", "nobody_h18b:"), "refused the login of user 'nobody_h18b'"),
        (("/atlas_init_", "/missing_init_"), "has no database 'missing_init_"),
    ],
)
def test_wrong_user_or_missing_database_is_one_line(
    pg_url: str, tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    r = init("--url", pg_url.replace(*change, 1), output=tmp_path / "s")
    assert r.exit_code == 2
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert PASSWORD not in r.output and "Traceback" not in r.output


def test_enrich_without_a_provider_says_so_and_writes_the_rest(pg_url: str, tmp_path: Path) -> None:
    r = init("--url", pg_url, "--enrich", "--tables", "customers", output=tmp_path / "s")
    assert r.exit_code == 0, r.output
    assert "no LLM provider is configured" in r.stdout
    assert (tmp_path / "s/entities/customers.yml").is_file()


def test_enrich_asks_the_configured_provider(pg_url: str, tmp_path: Path) -> None:
    reply = {
        "description": "Shoppers with an account.",
        "synonyms": ["clients", "buyers"],
        "columns": {"country": {"description": "Home country.", "synonyms": ["nation"]}},
    }
    provider = ScriptedProvider().start()
    try:
        provider.script("init-customers", say(json.dumps(reply)))
        r = init(
            "--url",
            pg_url,
            "--enrich",
            "--tables",
            "customers,orders",
            output=tmp_path / "s",
            ATLAS_PROVIDER="openai-compatible",
            ATLAS_MODEL="scripted",
            OPENAI_COMPATIBLE_BASE_URL=f"{provider.url}/v1",
        )
    finally:
        provider.stop()
    assert r.exit_code == 0, r.output
    customers = load_semantic_layer(tmp_path / "s").entity("Customers")
    assert customers is not None
    assert customers.description == "Shoppers with an account. Also clients, buyers."
    country = next(d for d in customers.dimensions if d.name == "country")
    assert country.description == "Home country. Also nation."
    sent = provider.requests["init-customers"][0]
    assert sent["model"] == "scripted" and "country (string)" in sent["messages"][1]["content"]
    # Orders carried no script: the provider refused, the table kept its generated text.
    assert "--enrich: Orders: the provider answered HTTP 500" in r.stdout
