"""A generated 60-table PostgreSQL schema, for the ``atlas init`` bench (bench/atlas_init.py).

Twelve business domains (sales, billing, ...) of five tables each: ``<d>_accounts``,
``<d>_items`` (-> accounts), ``<d>_events`` (-> items, accounts; the big one), ``<d>_notes``
(-> items) and ``<d>_tags``. Column kinds as an application has them: keys, low-cardinality
statuses, money in cents and in numeric, timestamps, booleans, free text. Half the domains
declare their foreign keys and half do not, so both paths of the profiler run. The rows are
made by the server (generate_series, multiplicative hashing: deterministic, no Python rows).
"""

from __future__ import annotations

import asyncpg

DOMAINS = (
    "sales",
    "billing",
    "support",
    "inventory",
    "marketing",
    "hr",
    "shipping",
    "finance",
    "catalog",
    "analytics",
    "identity",
    "ops",
)
ACCOUNTS, ITEMS, NOTES, TAGS = 2_000, 20_000, 5_000, 40
EVENTS, BIG_EVENTS = 100_000, 1_000_000  # BIG in two domains: sampling must bound them
BIG_DOMAINS = ("billing", "inventory")  # without declared keys: no FK checks while filling
TABLES_PER_DOMAIN = 5


def _pick(values: tuple[str, ...], expr: str) -> str:
    array = ", ".join(f"'{v}'" for v in values)
    return f"(ARRAY[{array}])[1 + ({expr}) % {len(values)}]"


def _ts(expr: str) -> str:
    return f"timestamptz '2023-01-01 00:00:00+00' + (({expr}) % 63072000) * interval '1 second'"


def _fk(declare: bool, ref: str) -> str:
    return f" REFERENCES {ref} (id)" if declare else ""


def domain_sql(d: str, declare_fks: bool, events: int) -> list[str]:
    """The statements that create and fill domain ``d``."""
    acc, item = f"{d}_account_id", f"{d}_item_id"
    return [
        f"""CREATE TABLE {d}_accounts (id integer PRIMARY KEY, name text NOT NULL,
            region text NOT NULL, tier text NOT NULL, balance_cents bigint NOT NULL,
            is_active boolean NOT NULL, created_at timestamptz NOT NULL)""",
        f"""INSERT INTO {d}_accounts SELECT g, 'Account ' || g,
            {_pick(("north", "south", "east", "west", "central", "emea", "apac", "latam"), "g")},
            {_pick(("free", "starter", "pro", "enterprise"), "g * 7")},
            (g::bigint * 2654435761) % 10000000, g % 5 <> 0, {_ts("g::bigint * 7919")}
            FROM generate_series(1, {ACCOUNTS}) g""",
        f"""CREATE TABLE {d}_items (id integer PRIMARY KEY,
            {acc} integer NOT NULL{_fk(declare_fks, f"{d}_accounts")}, sku text NOT NULL,
            status text NOT NULL, price numeric(10,2) NOT NULL, quantity integer NOT NULL,
            created_at timestamptz NOT NULL, updated_at timestamptz, note text)""",
        f"""INSERT INTO {d}_items SELECT g, 1 + (g::bigint * 7919) % {ACCOUNTS},
            'SKU-' || lpad(g::text, 8, '0'),
            {_pick(("draft", "active", "paused", "archived", "deleted"), "g * 31")},
            ((g::bigint * 37) % 100000) / 100.0, 1 + g % 20, {_ts("g::bigint * 104729")},
            CASE WHEN g % 3 = 0 THEN NULL ELSE {_ts("g::bigint * 15485863")} END, md5(g::text)
            FROM generate_series(1, {ITEMS}) g""",
        f"""CREATE TABLE {d}_events (id bigint PRIMARY KEY,
            {item} integer NOT NULL{_fk(declare_fks, f"{d}_items")},
            {acc} integer NOT NULL{_fk(declare_fks, f"{d}_accounts")}, kind text NOT NULL,
            amount_cents bigint NOT NULL, occurred_at timestamptz NOT NULL, payload text,
            score double precision)""",
        f"""INSERT INTO {d}_events SELECT g, 1 + (g * 104729) % {ITEMS}, 1 + (g * 31) % {ACCOUNTS},
            {_pick(tuple(f"kind_{i:02d}" for i in range(12)), "g * 13")},
            (g * 7) % 100000, {_ts("g * 48271")}, 'evt-' || g, ((g * 13) % 1000) / 10.0
            FROM generate_series(1::bigint, {events}) g""",
        f"""CREATE TABLE {d}_notes (id integer PRIMARY KEY,
            {item} integer NOT NULL{_fk(declare_fks, f"{d}_items")}, author text NOT NULL,
            body text NOT NULL, created_at timestamptz NOT NULL)""",
        f"""INSERT INTO {d}_notes SELECT g, 1 + (g::bigint * 7919) % {ITEMS},
            'user' || (g % 20), repeat(md5(g::text), 1 + g % 4), {_ts("g::bigint * 92821")}
            FROM generate_series(1, {NOTES}) g""",
        f"""CREATE TABLE {d}_tags (id integer PRIMARY KEY, label text NOT NULL,
            color text NOT NULL)""",
        f"""INSERT INTO {d}_tags SELECT g, 'tag ' || g,
            {_pick(("red", "green", "blue", "yellow", "black", "white"), "g")}
            FROM generate_series(1, {TAGS}) g""",
    ]


async def create_wide_schema(url: str) -> int:
    """Create and fill the 60 tables in ``url``'s (empty) database; the number of rows."""
    conn = await asyncpg.connect(url, timeout=10)
    try:
        for index, domain in enumerate(DOMAINS):
            events = BIG_EVENTS if domain in BIG_DOMAINS else EVENTS
            for statement in domain_sql(domain, index % 2 == 0, events):
                await conn.execute(statement)
        await conn.execute("ANALYZE")  # catalog estimates, as a live database has them
    finally:
        await conn.close()
    big = len(BIG_DOMAINS)
    per_domain = ACCOUNTS + ITEMS + NOTES + TAGS
    return len(DOMAINS) * per_domain + big * BIG_EVENTS + (len(DOMAINS) - big) * EVENTS
