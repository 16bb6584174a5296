"""Generate the demo database: a small SaaS / e-commerce company, deterministic per (now, seed).

Rows are produced by DuckDB SQL, not Python loops: ~150k rows through ``executemany`` take
tens of seconds, while set-based SQL over ``range()`` takes well under a second. Randomness
comes from ``hash(seed, stream, key...)`` rather than ``random()``/``setseed``, whose output
depends on how DuckDB splits work across threads; a hash of stable keys does not. Sums that
feed later steps are integers for the same reason (a parallel float sum can differ in the
last bit between runs and flip a rounding).
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from atlas_query.demo import _vocabulary as vocab

__all__ = ["DEMO_VERSION", "generate_demo"]

# Bump when the schema or the data's shape changes: provisioning regenerates older files.
DEMO_VERSION = 1

TARGET_USERS = 6_000
TARGET_ORDERS = 40_000
HISTORY_DAYS = 365

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR, email VARCHAR, country VARCHAR,
    plan VARCHAR, signup_source VARCHAR, created_at TIMESTAMP);
CREATE TABLE categories (id INTEGER PRIMARY KEY, name VARCHAR);
CREATE TABLE products (id INTEGER PRIMARY KEY, name VARCHAR, category_id INTEGER,
    price_cents INTEGER, created_at TIMESTAMP);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, status VARCHAR,
    created_at TIMESTAMP, total_cents INTEGER, country VARCHAR);
CREATE TABLE order_items (id INTEGER PRIMARY KEY, order_id INTEGER, product_id INTEGER,
    quantity INTEGER, unit_price_cents INTEGER);
CREATE TABLE atlas_demo_meta (generated_at TIMESTAMP, seed INTEGER, version INTEGER);
"""

# Signups per calendar day: growth over the year, quieter weekends, +-20% daily noise.
# Every full day gets at least 2 signups so every week of the history has some.
_DAYS = """
CREATE TEMP TABLE _days AS
WITH d AS (
    SELECT d, date_trunc('day', {now}) - INTERVAL {history} DAY + to_days(d::INTEGER) AS day_start
    FROM range(0, {history} + 1) t(d)
), w AS (
    SELECT d, day_start, least(86400, date_diff('second', day_start, {now})) AS span_s
    FROM d
)
SELECT d, day_start, span_s,
    round(1000 * exp(1.2 * d / {history})
        * CASE WHEN isodow(day_start) >= 6 THEN 0.55 ELSE 1.0 END
        * (0.8 + 0.4 * rnd('day', d)) * span_s / 86400.0)::BIGINT AS w
FROM w;
CREATE TEMP TABLE _signups AS
SELECT d, j, day_start + to_seconds(floor(rnd('signup_time', d, j) * span_s)::BIGINT) AS ts
FROM (SELECT *, greatest(CASE WHEN span_s = 86400 THEN 2 ELSE 0 END,
                         round(w * {users_target}.0 / sum(w) OVER ()))::BIGINT AS n FROM _days) s,
     range(s.n) r(j);
"""

# Ids follow signup time, as a real auto-increment would.
_USERS = """
INSERT INTO users
SELECT id, first || ' ' || last,
    lower(first) || '.' || lower(last) || id || '@example.com',
    {country}, {plan}, {source}, ts
FROM (
    SELECT *, pick({first_names}, rnd('first', id)) AS first,
              pick({last_names}, rnd('last', id)) AS last
    FROM (SELECT row_number() OVER (ORDER BY ts, d, j)::INTEGER AS id, ts FROM _signups)
);
"""

# Order counts per user: ~70% ever order (more on paid plans), a skewed personal rate, and
# proportional to tenure; scaled so the total is about the target. Stochastic rounding keeps
# small expectations from all collapsing to zero.
_BUYERS = """
CREATE TEMP TABLE _buyers AS
WITH b AS (
    SELECT id AS user_id, created_at, country,
        date_diff('second', created_at, {now}) AS span_s,
        CASE WHEN rnd('buyer', id) < CASE plan WHEN 'free' THEN 0.62 WHEN 'pro' THEN 0.85
                                         ELSE 0.92 END
             THEN round(CASE plan WHEN 'free' THEN 1.0 WHEN 'pro' THEN 1.6 ELSE 2.4 END
                        * (0.1 + 1.9 * pow(rnd('rate', id), 2))
                        * date_diff('second', created_at, {now}) / 864.0)::BIGINT
             ELSE 0 END AS w
    FROM users
)
SELECT user_id, created_at, country, span_s,
    CASE WHEN w > 0 THEN greatest(1, floor(w * {orders_target}.0 / sum(w) OVER ()
                                          + rnd('round', user_id)))::BIGINT
         ELSE 0 END AS n
FROM b;
CREATE TEMP TABLE _orders AS
SELECT row_number() OVER (ORDER BY ts, user_id, k)::INTEGER AS id, user_id, country, ts
FROM (
    SELECT user_id, k, country,
        created_at + to_seconds((1 + floor(rnd('order_time', user_id, k)
                                           * (span_s - 1)))::BIGINT) AS ts
    FROM _buyers b, range(b.n) r(k)
);
"""

# 1-5 lines per order (mean ~2.5); popular products are picked more often; ~10% of lines
# carry a 15% discount, so unit price is not always the list price.
_ITEMS = """
INSERT INTO order_items
SELECT row_number() OVER (ORDER BY order_id, line)::INTEGER, order_id, product_id, quantity,
    CASE WHEN rnd('discount', order_id, line) < 0.1 THEN round(p.price_cents * 0.85)::INTEGER
         ELSE p.price_cents END
FROM (
    SELECT o.id AS order_id, line,
        1 + floor({products} * pow(rnd('product', o.id, line), 1.7))::INTEGER AS product_id,
        1 + floor(4 * pow(rnd('quantity', o.id, line), 4))::INTEGER AS quantity
    FROM (SELECT id, {lines} AS n FROM _orders) o, range(o.n) r(line)
) l JOIN products p ON p.id = l.product_id;
"""

# Status follows the order's age: fresh orders are still pending/paid/shipped; older ones
# are mostly delivered, with a steady share cancelled or refunded.
_ORDERS = """
INSERT INTO orders
SELECT o.id, o.user_id,
    CASE WHEN u < 0.05 THEN 'cancelled'
         WHEN age_h < 24 THEN CASE WHEN u < 0.55 THEN 'pending' ELSE 'paid' END
         WHEN age_h < 72 THEN CASE WHEN u < 0.35 THEN 'paid' ELSE 'shipped' END
         WHEN age_h < 168 THEN CASE WHEN u < 0.45 THEN 'shipped' ELSE 'delivered' END
         WHEN u < 0.085 THEN 'refunded'
         ELSE 'delivered' END,
    o.ts, t.total_cents, o.country
FROM (SELECT *, rnd('status', id) AS u, date_diff('hour', ts, {now}) AS age_h FROM _orders) o
JOIN (SELECT order_id, sum(quantity * unit_price_cents)::INTEGER AS total_cents
      FROM order_items GROUP BY order_id) t ON t.order_id = o.id;
"""


def generate_demo(path: Path, now: datetime, seed: int = 42) -> None:
    """Write a complete demo database to ``path``, a new file.

    ``now`` is the reference time (naive UTC; an aware time is converted): every row lies
    before it and signups span the ``HISTORY_DAYS`` before it. Same (now, seed): same rows.
    Not atomic by itself: ``ensure_demo_database`` generates into a temp file and renames it.
    """
    if path.exists():
        raise FileExistsError(f"refusing to generate over an existing file: {path}")
    now = naive_utc(now)
    con = duckdb.connect(str(path))
    try:
        _define_macros(con, int(seed))
        con.execute(_SCHEMA)
        _insert_catalog(con, now, int(seed))
        _insert_activity(con, now)
        con.execute("INSERT INTO atlas_demo_meta VALUES (?, ?, ?)", [now, seed, DEMO_VERSION])
        con.execute("CHECKPOINT")
    finally:
        con.close()


def naive_utc(now: datetime) -> datetime:
    """The schema's timestamps are naive UTC; convert an aware time, keep a naive one."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    return now


def _define_macros(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    # rnd(): a uniform double in [0, 1) from the top 53 bits of a hash of stable keys.
    con.execute(
        f"CREATE TEMP MACRO rnd(stream, a, b := 0) AS "
        f"(hash({seed}, stream, a, b) >> 11)::DOUBLE / 9007199254740992.0"
    )
    con.execute("CREATE TEMP MACRO pick(xs, u) AS xs[1 + floor(u * len(xs))::BIGINT]")


def _insert_catalog(con: duckdb.DuckDBPyConnection, now: datetime, seed: int) -> None:
    """Categories and products: a few hundred rows, built in Python for readable names."""
    rng = random.Random(seed)
    con.executemany(
        "INSERT INTO categories VALUES (?, ?)",
        [[i, c.name] for i, c in enumerate(vocab.CATEGORIES, start=1)],
    )
    rows = [
        [0, f"{adjective} {noun}", category_id,
         _price(rng, category.price_range), _launch_time(rng, now)]
        for category_id, category in enumerate(vocab.CATEGORIES, start=1)
        for noun in category.nouns
        for adjective in vocab.ADJECTIVES
    ]
    # Shuffled ids spread the popular (low) ids across categories.
    rng.shuffle(rows)
    for product_id, row in enumerate(rows, start=1):
        row[0] = product_id
    con.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?)", rows)


def _price(rng: random.Random, price_range: tuple[int, int]) -> int:
    low, high = price_range
    return rng.randrange(low, high) // 100 * 100 + 99  # prices end in .99


def _launch_time(rng: random.Random, now: datetime) -> datetime:
    # The catalogue predates the first signup, so every ordered product already existed.
    base = now.replace(minute=0, second=0, microsecond=0)
    return base - timedelta(days=HISTORY_DAYS + 30 + rng.randrange(0, 700), hours=rng.randrange(24))


def _insert_activity(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    values = {
        "now": f"TIMESTAMP '{now.isoformat(sep=' ')}'",
        "history": str(HISTORY_DAYS),
        "users_target": str(TARGET_USERS),
        "orders_target": str(TARGET_ORDERS),
        "products": str(vocab.product_count()),
        "first_names": _sql_list(vocab.FIRST_NAMES),
        "last_names": _sql_list(vocab.LAST_NAMES),
        "country": _weighted_case("rnd('country', id)", vocab.COUNTRIES),
        "plan": _weighted_case("rnd('plan', id)", vocab.PLANS),
        "source": _weighted_case("rnd('source', id)", vocab.SIGNUP_SOURCES),
        "lines": _weighted_case("rnd('lines', id)", vocab.LINES_PER_ORDER),
    }
    # Order matters: users feed buyers, items feed the order totals.
    for template in (_DAYS, _USERS, _BUYERS, _ITEMS, _ORDERS):
        con.execute(template.format(**values))


def _sql_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(_quote(item) for item in items) + "]"


def _quote(value: object) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _weighted_case(u_expr: str, choices: tuple[tuple[object, int], ...]) -> str:
    """A CASE over cumulative weights: maps a uniform ``u_expr`` to a weighted choice."""
    total = sum(weight for _, weight in choices)
    branches, cumulative = [], 0
    for value, weight in choices[:-1]:
        cumulative += weight
        branches.append(f"WHEN {u_expr} < {cumulative / total!r} THEN {_quote(value)}")
    return f"CASE {' '.join(branches)} ELSE {_quote(choices[-1][0])} END"
