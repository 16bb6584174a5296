"""Every SQL statement of the scheduler (PostgreSQL, schema ``scheduler``, through asyncpg)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

SCHEMA = "scheduler"
Conn = Any  # an asyncpg Connection or Pool: both have fetch, fetchrow, execute
_TASK_COLUMNS = (
    "id, workspace, owner_id, owner_role, owner_claims, owner_principal, name, question, "
    "cron_expression, timezone, delivery_channel, recipients, enabled, last_run_at, "
    "next_run_at, created_at, updated_at")
_RUN_COLUMNS = (
    "id, task_id, slot_at, trigger, status, delivery_status, delivery_error, "
    "delivery_attempts, conversation_id, request_id, error, tokens_used, deadline_at, "
    "lease_until, started_at, finished_at")
_RUN_INSERT = ("id", "task_id", "slot_at", "trigger", "status", "request_id", "conversation_id",
               "deadline_at", "lease_until", "error", "finished_at")
_UPDATABLE = {"name", "question", "cron_expression", "timezone", "delivery_channel",
              "recipients", "enabled", "next_run_at", "owner_role", "owner_claims",
              "owner_principal"}
_JSON = {"recipients", "owner_claims", "owner_principal"}


def _placeholder(i: int, column: str) -> str:
    return f"${i}::jsonb" if column in _JSON else f"${i}"


def _encoded(fields: dict[str, Any]) -> list[Any]:
    return [json.dumps(v) if k in _JSON else v for k, v in fields.items()]


def decoded(row: asyncpg.Record) -> dict[str, Any]:
    """A row as a dict, its jsonb columns as Python values."""
    return {k: json.loads(v) if k in _JSON and isinstance(v, str) else v
            for k, v in row.items()}


async def insert_task(db: Conn, task: dict[str, Any]) -> dict[str, Any]:
    columns = list(task)
    values = ", ".join(_placeholder(i, c) for i, c in enumerate(columns, start=1))
    row: asyncpg.Record = await db.fetchrow(
        f"INSERT INTO {SCHEMA}.tasks ({', '.join(columns)}) VALUES ({values}) "
        f"RETURNING {_TASK_COLUMNS}", *_encoded(task))
    return decoded(row)


async def get_task(db: Conn, task_id: uuid.UUID) -> dict[str, Any] | None:
    row = await db.fetchrow(f"SELECT {_TASK_COLUMNS} FROM {SCHEMA}.tasks WHERE id = $1", task_id)
    return decoded(row) if row is not None else None


async def list_tasks(db: Conn, workspace: str, owner_id: str | None, enabled: bool | None,
                     limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    where = ("workspace = $1 AND ($2::text IS NULL OR owner_id = $2) "
             "AND ($3::boolean IS NULL OR enabled = $3)")
    rows = await db.fetch(
        f"SELECT {_TASK_COLUMNS} FROM {SCHEMA}.tasks WHERE {where} "
        "ORDER BY created_at DESC, id LIMIT $4 OFFSET $5",
        workspace, owner_id, enabled, limit, offset)
    total: int = await db.fetchval(
        f"SELECT count(*) FROM {SCHEMA}.tasks WHERE {where}", workspace, owner_id, enabled)
    return [decoded(r) for r in rows], total


async def update_task(db: Conn, task_id: uuid.UUID, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    sets = ", ".join(f"{name} = {_placeholder(i, name)}"
                     for i, name in enumerate(fields, start=2))
    row: asyncpg.Record = await db.fetchrow(
        f"UPDATE {SCHEMA}.tasks SET {sets}, updated_at = now() WHERE id = $1 "
        f"RETURNING {_TASK_COLUMNS}", task_id, *_encoded(fields))
    return decoded(row)


async def delete_task(db: Conn, task_id: uuid.UUID) -> None:
    await db.execute(f"DELETE FROM {SCHEMA}.tasks WHERE id = $1", task_id)


async def claim_due(conn: asyncpg.Connection, limit: int) -> list[dict[str, Any]]:
    """Enabled tasks whose slot has come, locked for this transaction; rows another replica
    holds are skipped (it fires them), so each slot is taken by one replica."""
    rows = await conn.fetch(
        f"SELECT {_TASK_COLUMNS} FROM {SCHEMA}.tasks "
        "WHERE enabled AND next_run_at <= now() ORDER BY next_run_at LIMIT $1 "
        "FOR UPDATE SKIP LOCKED", limit)
    return [decoded(r) for r in rows]


async def lock_task(conn: asyncpg.Connection, task_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"SELECT {_TASK_COLUMNS} FROM {SCHEMA}.tasks WHERE id = $1 FOR UPDATE", task_id)
    return decoded(row) if row is not None else None


async def advance(conn: asyncpg.Connection, task_id: uuid.UUID, next_run_at: datetime | None,
                  last_run_at: datetime | None) -> None:
    await advance_many(conn, [(task_id, next_run_at, last_run_at)])


async def advance_many(conn: asyncpg.Connection,
                       moves: Sequence[tuple[uuid.UUID, datetime | None, datetime | None]]) -> None:
    """(task, next slot, slot just fired) for many tasks in one statement."""
    if moves:
        await conn.execute(
            f"UPDATE {SCHEMA}.tasks AS t SET next_run_at = m.n, "
            "last_run_at = COALESCE(m.l, t.last_run_at) "
            "FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[]) AS m(i, n, l) "
            "WHERE t.id = m.i", [m[0] for m in moves], [m[1] for m in moves],
            [m[2] for m in moves])


async def insert_runs(conn: asyncpg.Connection, runs: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert the runs in one statement; returns the ids inserted (a slot that already has a
    run keeps it: the UNIQUE key)."""
    if not runs:
        return set()
    columns = [[r[c] for r in runs] for c in _RUN_INSERT]
    rows = await conn.fetch(
        f"INSERT INTO {SCHEMA}.runs ({', '.join(_RUN_INSERT)}) "
        "SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], "
        "$6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[], "
        "$11::timestamptz[]) ON CONFLICT (task_id, slot_at) DO NOTHING RETURNING id", *columns)
    return {r["id"] for r in rows}


async def insert_skipped(conn: asyncpg.Connection,
                         slots: Sequence[tuple[uuid.UUID, datetime]]) -> None:
    """Missed (task, slot)s, recorded ``skipped``."""
    if slots:
        await conn.execute(
            f"INSERT INTO {SCHEMA}.runs (id, task_id, slot_at, status, error, finished_at) "
            "SELECT gen_random_uuid(), t, s, 'skipped', 'missed: no scheduler ran at this time', "
            "now() FROM unnest($1::uuid[], $2::timestamptz[]) AS m(t, s) "
            "ON CONFLICT (task_id, slot_at) DO NOTHING",
            [t for t, _ in slots], [s for _, s in slots])


async def renew_leases(db: Conn, run_ids: Sequence[uuid.UUID], lease_s: float) -> None:
    if run_ids:
        await db.execute(
            f"UPDATE {SCHEMA}.runs SET lease_until = now() + make_interval(secs => $2) "
            "WHERE id = ANY($1::uuid[]) AND status = 'running'", list(run_ids), lease_s)


async def take_orphans(db: Conn, lease_s: float, limit: int) -> list[asyncpg.Record]:
    """Running runs whose replica stopped renewing their lease, now leased to this one."""
    rows = await db.fetch(
        f"UPDATE {SCHEMA}.runs SET lease_until = now() + make_interval(secs => $1) "
        f"WHERE id IN (SELECT id FROM {SCHEMA}.runs WHERE status = 'running' "
        "AND lease_until < now() ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED) "
        f"RETURNING {_RUN_COLUMNS}", lease_s, limit)
    return list(rows)


async def finish_run(db: Conn, run_id: uuid.UUID, status: str, *, error: str | None,
                     conversation_id: str | None, tokens: int | None,
                     delivery_status: str | None) -> bool:
    """Settle a running run; False when it was already settled (by another replica)."""
    done = await db.fetchval(
        f"UPDATE {SCHEMA}.runs SET status = $2, error = $3, "
        "conversation_id = COALESCE($4, conversation_id), tokens_used = $5, "
        "delivery_status = $6, finished_at = now(), lease_until = NULL "
        "WHERE id = $1 AND status = 'running' RETURNING true",
        run_id, status, error, conversation_id, tokens, delivery_status)
    return bool(done)


async def set_delivery(db: Conn, run_id: uuid.UUID, status: str, error: str | None,
                       attempts: int) -> None:
    await db.execute(
        f"UPDATE {SCHEMA}.runs SET delivery_status = $2, delivery_error = $3, "
        "delivery_attempts = $4 WHERE id = $1", run_id, status, error, attempts)


async def list_runs(db: Conn, task_id: uuid.UUID, limit: int) -> list[asyncpg.Record]:
    rows = await db.fetch(
        f"SELECT {_RUN_COLUMNS} FROM {SCHEMA}.runs WHERE task_id = $1 "
        "ORDER BY slot_at DESC, started_at DESC LIMIT $2", task_id, limit)
    return list(rows)



async def run_times(db: Conn, run_id: uuid.UUID) -> asyncpg.Record:
    row: asyncpg.Record = await db.fetchrow(
        f"SELECT slot_at, started_at FROM {SCHEMA}.runs WHERE id = $1", run_id)
    return row
