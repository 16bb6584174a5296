"""Every SQL statement of the audit service (PostgreSQL, schema ``audit``, through asyncpg)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from atlas_audit.filters import SEARCH_EXPRESSION, AuditFilter
from atlas_audit.records import COLUMNS, Row

SCHEMA = "audit"
log = logging.getLogger("atlas_audit")
Conn = Any  # an asyncpg Connection or Pool: both have fetch, fetchrow, execute
_COLUMN_LIST = ", ".join(COLUMNS)
_SELECT = f"SELECT {_COLUMN_LIST} FROM {SCHEMA}.events"
#: Partition maintenance and retention run under this advisory lock (one replica at a time).
MAINTENANCE_LOCK = 0x61756469745F6D  # "audit_m"


async def insert_batch(pool: asyncpg.Pool, rows: Sequence[Row]) -> int:
    """Write a batch in one statement (COPY into a temporary table, then INSERT ... SELECT);
    an event already written is skipped. Returns the rows written now."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS audit_batch (LIKE {SCHEMA}.events "
            "INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        await conn.copy_records_to_table("audit_batch", records=rows, columns=COLUMNS)
        status: str = await conn.execute(
            f"INSERT INTO {SCHEMA}.events ({_COLUMN_LIST}) SELECT {_COLUMN_LIST} "
            "FROM audit_batch ON CONFLICT DO NOTHING")
    return int(status.rsplit(" ", 1)[-1])


async def ensure_search_index(pool: asyncpg.Pool) -> bool:
    """The trigram index of ``q`` where pg_trgm can be had; without it ``q`` still works (a
    scan of the workspace's rows in the time range), so its absence is only logged."""
    try:
        async with pool.acquire() as conn:
            # One replica at a time: two creating the extension at once, one would fail.
            await conn.execute("SELECT pg_advisory_lock($1)", MAINTENANCE_LOCK)
            try:
                await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                await conn.execute(
                    f"CREATE INDEX IF NOT EXISTS events_search ON {SCHEMA}.events "
                    f"USING gin ({SEARCH_EXPRESSION} gin_trgm_ops)")
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MAINTENANCE_LOCK)
    except asyncpg.PostgresError as exc:
        log.warning("no trigram index for audit text search (pg_trgm unavailable); "
                    "q filters scan instead", extra={"error": str(exc)})
        return False
    return True


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def partition_name(month: date) -> str:
    return f"events_{month:%Y%m}"


async def ensure_partitions(conn: Conn, first: date, months: int) -> list[str]:
    """Make the monthly partitions from ``first``'s month on (``months`` of them), moving any
    rows the default partition holds for a month into its new partition."""
    made = []
    month = month_start(first)
    for _ in range(months):
        name = partition_name(month)
        exists = await conn.fetchval("SELECT to_regclass($1)", f"{SCHEMA}.{name}")
        if exists is None:
            await _create_partition(conn, name, month, next_month(month))
            made.append(name)
        month = next_month(month)
    return made


async def _create_partition(conn: Conn, name: str, lower: date, upper: date) -> None:
    bounds = (datetime.combine(lower, datetime.min.time(), tzinfo=UTC),
              datetime.combine(upper, datetime.min.time(), tzinfo=UTC))
    async with conn.transaction():
        await conn.execute(f"CREATE TABLE {SCHEMA}.{name} (LIKE {SCHEMA}.events "
                           "INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        moved = await conn.execute(
            f"WITH moved AS (DELETE FROM {SCHEMA}.events_default WHERE occurred_at >= $1 "
            f"AND occurred_at < $2 RETURNING *) INSERT INTO {SCHEMA}.{name} SELECT * FROM moved",
            *bounds)
        await conn.execute(
            f"ALTER TABLE {SCHEMA}.events ATTACH PARTITION {SCHEMA}.{name} "
            f"FOR VALUES FROM ('{bounds[0].isoformat()}') TO ('{bounds[1].isoformat()}')")
    log.info("audit partition made", extra={"partition": name, "moved": moved})


async def monthly_partitions(conn: Conn) -> list[tuple[str, date]]:
    """Our monthly partitions and the first day of their month, oldest first."""
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = $1::regclass", f"{SCHEMA}.events")
    found = []
    for row in rows:
        name: str = row["relname"]
        suffix = name.removeprefix("events_")
        if len(suffix) == 6 and suffix.isdigit():
            found.append((name, date(int(suffix[:4]), int(suffix[4:]), 1)))
    return sorted(found, key=lambda item: item[1])


async def drop_partitions_before(conn: Conn, cutoff: datetime) -> list[str]:
    """Drop the partitions whose whole month ends at or before ``cutoff``, and the default
    partition's rows older than it."""
    dropped = []
    for name, month in await monthly_partitions(conn):
        upper = datetime.combine(next_month(month), datetime.min.time(), tzinfo=UTC)
        if upper <= cutoff:
            await conn.execute(f"DROP TABLE {SCHEMA}.{name}")
            dropped.append(name)
    await conn.execute(f"DELETE FROM {SCHEMA}.events_default WHERE occurred_at < $1", cutoff)
    return dropped


async def list_events(db: Conn, where: AuditFilter, limit: int, offset: int,
                      after: tuple[datetime, str] | None) -> list[asyncpg.Record]:
    clause, args = where.where()
    if after is not None:
        n = len(args)
        clause += f" AND (occurred_at, event_id) < (${n + 1}, ${n + 2})"
        args += list(after)
        offset = 0
    n = len(args)
    rows: list[asyncpg.Record] = await db.fetch(
        f"{_SELECT} {clause} ORDER BY occurred_at DESC, event_id DESC "
        f"LIMIT ${n + 1} OFFSET ${n + 2}", *args, limit, offset)
    return rows


async def count_events(pool: asyncpg.Pool, where: AuditFilter, cap: int,
                       budget_ms: int) -> tuple[int, bool]:
    """The exact count up to ``cap`` when it takes at most ``budget_ms``; else the planner's
    estimate (True: an estimate). A text search matching thousands of rows rechecks each one,
    so its exact count may cost far more than the page it comes with."""
    clause, args = where.where()
    n = len(args)
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        await conn.execute(f"SET LOCAL statement_timeout = {int(budget_ms)}")
        try:
            exact: int | None = await conn.fetchval(
                f"SELECT count(*) FROM (SELECT 1 FROM {SCHEMA}.events {clause} "
                f"LIMIT ${n + 1}) capped", *args, cap + 1)
        except asyncpg.QueryCanceledError:
            exact = None
    if exact is not None and exact <= cap:
        return exact, False
    plan = await pool.fetchval(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {SCHEMA}.events {clause}", *args)
    estimate = int(json.loads(plan)[0]["Plan"]["Plan Rows"])
    return max(estimate, 1 if exact is None else cap + 1), True


async def stream_events(conn: asyncpg.Connection, where: AuditFilter,
                        limit: int) -> AsyncIterator[asyncpg.Record]:
    """Rows newest first through a server-side cursor (call inside a transaction)."""
    clause, args = where.where()
    query = (f"{_SELECT} {clause} ORDER BY occurred_at DESC, event_id DESC "
             f"LIMIT ${len(args) + 1}")
    async for row in conn.cursor(query, *args, limit, prefetch=1000):
        yield row


async def has_more_than(db: Conn, where: AuditFilter, count: int) -> bool:
    clause, args = where.where()
    n = len(args)
    found = await db.fetchval(
        f"SELECT 1 FROM {SCHEMA}.events {clause} ORDER BY occurred_at DESC "
        f"LIMIT 1 OFFSET ${n + 1}", *args, count)
    return found is not None


async def question_totals(db: Conn, where: AuditFilter) -> asyncpg.Record:
    clause, args = where.where()
    row: asyncpg.Record = await db.fetchrow(
        "SELECT count(*) AS total, count(*) FILTER (WHERE outcome = 'error') AS errors, "
        "count(DISTINCT user_id) AS users, "
        "percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95 "
        f"FROM {SCHEMA}.events {clause}", *args)
    return row


@dataclass(frozen=True)
class Breakdown:
    per_day: list[tuple[date, int, int]]  # day, count, errors
    by_surface: dict[str, int]
    by_outcome: dict[str, int]


async def breakdown(db: Conn, where: AuditFilter) -> Breakdown:
    """Counts per day (with errors), per surface and per outcome, in one scan."""
    clause, args = where.where()
    rows = await db.fetch(
        "SELECT day, surface, outcome, count(*) AS count, "
        "count(*) FILTER (WHERE outcome = 'error') AS errors, "
        "GROUPING(day) AS no_day, GROUPING(surface) AS no_surface FROM ("
        "SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, "
        "coalesce(surface, 'unknown') AS surface, coalesce(outcome, 'unknown') AS outcome "
        f"FROM {SCHEMA}.events {clause}) AS e GROUP BY GROUPING SETS ((day), (surface), (outcome))",
        *args)
    days = sorted((r["day"], r["count"], r["errors"]) for r in rows if not r["no_day"])
    return Breakdown(
        per_day=days,
        by_surface={r["surface"]: r["count"] for r in rows if r["no_day"] and not r["no_surface"]},
        by_outcome={r["outcome"]: r["count"] for r in rows if r["no_day"] and r["no_surface"]})


async def top_questions(db: Conn, where: AuditFilter, limit: int) -> list[asyncpg.Record]:
    clause, args = where.where()
    rows: list[asyncpg.Record] = await db.fetch(
        f"SELECT min(question) AS question, count(*) AS count FROM {SCHEMA}.events {clause} "
        f"AND question IS NOT NULL GROUP BY lower(question) ORDER BY 2 DESC, 1 "
        f"LIMIT ${len(args) + 1}", *args, limit)
    return rows


async def top_tables(db: Conn, where: AuditFilter, limit: int) -> list[asyncpg.Record]:
    clause, args = where.where()
    rows: list[asyncpg.Record] = await db.fetch(
        f"SELECT t AS \"table\", count(*) AS count FROM {SCHEMA}.events, unnest(tables) AS t "
        f"{clause} GROUP BY t ORDER BY 2 DESC, 1 LIMIT ${len(args) + 1}", *args, limit)
    return rows
