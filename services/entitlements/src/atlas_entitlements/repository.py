"""Every SQL statement of the entitlements service. Each function takes the connection to use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from atlas_entitlements.plans import Catalog, FeatureDef, PlanDef, PlanEntry

#: The service's schema (its tables, its outbox).
SCHEMA = "entitlements"
_OVERRIDE_COLUMNS = ("id, customer_id, feature_id, kind, included, \"limit\", unlimited, policy, "
                     "amount, note, created_at, expires_at, revoked_at")


@dataclass(frozen=True)
class OverrideRow:
    id: int
    customer_id: str
    feature_id: str
    kind: str
    included: bool
    limit: int | None
    unlimited: bool
    policy: str | None
    amount: int | None
    note: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> OverrideRow:
        return cls(**dict(row))


@dataclass(frozen=True)
class Spend:
    customer_id: str
    feature_id: str
    amount: int
    period_start: datetime
    refunded_at: datetime | None


@dataclass(frozen=True)
class CustomerState:
    version: int
    plan_id: str | None
    overrides: list[OverrideRow]
    used: dict[str, int]
    prior: Spend | None = None  # what an idempotency key spent before, when one was given


# -- the catalog ------------------------------------------------------------------------------

async def catalog_row(db: Any) -> tuple[str, int] | None:
    row = await db.fetchrow("SELECT checksum, version FROM entitlements.catalog")
    return (row["checksum"], row["version"]) if row else None


async def subscribers_outside(db: Any, plan_ids: list[str]) -> list[tuple[str, int, str]]:
    """Plans not in ``plan_ids`` that customers are subscribed to: (plan, count, a customer)."""
    rows = await db.fetch(
        "SELECT plan_id, count(*) AS n, min(customer_id) AS example "
        "FROM entitlements.subscriptions WHERE plan_id <> ALL($1::text[]) "
        "GROUP BY plan_id ORDER BY plan_id", plan_ids)
    return [(r["plan_id"], r["n"], r["example"]) for r in rows]


async def replace_catalog(db: Any, catalog: Catalog) -> int:
    """Make the stored catalog equal ``catalog``; returns its new version."""
    plans, features = list(catalog.plans), list(catalog.features)
    await db.execute("DELETE FROM entitlements.plan_features")
    await db.execute("DELETE FROM entitlements.plans WHERE id <> ALL($1::text[])", plans)
    await db.execute("DELETE FROM entitlements.features WHERE id <> ALL($1::text[])", features)
    await db.executemany(
        "INSERT INTO entitlements.features (id, type, reset, unit, description) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, "
        "reset = EXCLUDED.reset, unit = EXCLUDED.unit, description = EXCLUDED.description",
        [(f.id, f.type, f.reset, f.unit, f.description) for f in catalog.features.values()])
    await db.execute("UPDATE entitlements.plans SET is_default = false")
    await db.executemany(
        "INSERT INTO entitlements.plans (id, is_default, description) VALUES ($1, $2, $3) "
        "ON CONFLICT (id) DO UPDATE SET is_default = EXCLUDED.is_default, "
        "description = EXCLUDED.description",
        [(p.id, p.default, p.description) for p in catalog.plans.values()])
    await db.executemany(
        "INSERT INTO entitlements.plan_features (plan_id, feature_id, \"limit\", unlimited, "
        "policy) VALUES ($1, $2, $3, $4, $5)",
        [(p.id, fid, e.limit, e.unlimited, e.policy)
         for p in catalog.plans.values() for fid, e in p.features.items()])
    version: int = await db.fetchval(
        "INSERT INTO entitlements.catalog (id, checksum, version) "
        "VALUES (true, $1, nextval('entitlements.versions')) ON CONFLICT (id) DO UPDATE "
        "SET checksum = EXCLUDED.checksum, version = EXCLUDED.version, loaded_at = now() "
        "RETURNING version", catalog.checksum())
    return version


async def read_catalog(db: Any) -> Catalog:
    features = {r["id"]: FeatureDef(r["id"], r["type"], r["reset"], r["unit"], r["description"])
                for r in await db.fetch("SELECT * FROM entitlements.features ORDER BY id")}
    entries: dict[str, dict[str, PlanEntry]] = {}
    for r in await db.fetch("SELECT * FROM entitlements.plan_features"):
        entries.setdefault(r["plan_id"], {})[r["feature_id"]] = PlanEntry(
            r["limit"], r["unlimited"], r["policy"])
    plans = {r["id"]: PlanDef(r["id"], r["is_default"], r["description"], entries.get(r["id"], {}))
             for r in await db.fetch("SELECT * FROM entitlements.plans ORDER BY id")}
    stored = await catalog_row(db)
    return Catalog(features, plans, version=stored[1] if stored else 0)


# -- customers ------------------------------------------------------------------------------

_STATE = f"""
SELECT
  (SELECT version FROM entitlements.customers WHERE id = $1) AS version,
  (SELECT plan_id FROM entitlements.subscriptions WHERE customer_id = $1) AS plan_id,
  (SELECT coalesce(json_agg(o ORDER BY o.created_at, o.id), '[]') FROM (
      SELECT {_OVERRIDE_COLUMNS} FROM entitlements.overrides
      WHERE customer_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        AND feature_id = ANY($2::text[])) o) AS overrides,
  (SELECT coalesce(json_object_agg(c.feature_id, c.used), '{{}}')
     FROM entitlements.usage_counters c
     JOIN unnest($2::text[], $3::timestamptz[]) AS p(feature_id, period_start)
       ON c.feature_id = p.feature_id AND c.period_start = p.period_start
     WHERE c.customer_id = $1) AS used,
  (SELECT row_to_json(l) FROM (
      SELECT customer_id, feature_id, amount, period_start, refunded_at
      FROM entitlements.usage_ledger WHERE idempotency_key = $4) l) AS prior
"""


async def customer_state(
    db: Any, customer_id: str, periods: dict[str, datetime], key: str | None = None
) -> CustomerState:
    """Version, subscription, live overrides, current usage of ``periods``'s features and what
    ``key`` spent before, in one round trip (``periods``: feature -> its period's start)."""
    features = list(periods)
    row = await db.fetchrow(_STATE, customer_id, features, [periods[f] for f in features], key)
    overrides = [_override_from_json(o) for o in json.loads(row["overrides"])]
    used = {k: int(v) for k, v in json.loads(row["used"]).items()}
    prior = _spend_from_json(json.loads(row["prior"])) if row["prior"] else None
    return CustomerState(row["version"] or 0, row["plan_id"], overrides, used, prior)


def _spend_from_json(s: dict[str, Any]) -> Spend:
    refunded = s["refunded_at"]
    return Spend(s["customer_id"], s["feature_id"], int(s["amount"]),
                 datetime.fromisoformat(s["period_start"]),
                 datetime.fromisoformat(refunded) if refunded else None)


def _override_from_json(o: dict[str, Any]) -> OverrideRow:
    for key in ("created_at", "expires_at", "revoked_at"):
        if o.get(key) is not None:
            o[key] = datetime.fromisoformat(o[key])
    return OverrideRow(**o)


async def bump_version(db: Any, customer_id: str) -> int:
    version: int = await db.fetchval(
        "INSERT INTO entitlements.customers (id, version) "
        "VALUES ($1, nextval('entitlements.versions')) ON CONFLICT (id) DO UPDATE "
        "SET version = EXCLUDED.version, updated_at = now() RETURNING version", customer_id)
    return version


async def set_subscription(db: Any, customer_id: str, plan_id: str) -> None:
    await db.execute(
        "INSERT INTO entitlements.subscriptions (customer_id, plan_id) VALUES ($1, $2) "
        "ON CONFLICT (customer_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, started_at = now()",
        customer_id, plan_id)


async def plan_of(db: Any, customer_id: str) -> str | None:
    """The plan the customer subscribed to; None without a subscription (the default plan)."""
    plan: str | None = await db.fetchval(
        "SELECT plan_id FROM entitlements.subscriptions WHERE customer_id = $1", customer_id)
    return plan


async def delete_subscription(db: Any, customer_id: str) -> bool:
    done: str = await db.execute(
        "DELETE FROM entitlements.subscriptions WHERE customer_id = $1", customer_id)
    return done != "DELETE 0"


async def insert_override(db: Any, customer_id: str, values: dict[str, Any]) -> OverrideRow:
    row = await db.fetchrow(
        "INSERT INTO entitlements.overrides (customer_id, feature_id, kind, included, \"limit\", "
        "unlimited, policy, amount, note, expires_at) "
        f"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {_OVERRIDE_COLUMNS}",
        customer_id, values["feature"], values["kind"], values["included"], values["limit"],
        values["unlimited"], values["policy"], values["amount"], values["note"],
        values["expires_at"])
    return OverrideRow.from_row(row)


async def overrides_of(db: Any, customer_id: str) -> list[OverrideRow]:
    rows = await db.fetch(
        f"SELECT {_OVERRIDE_COLUMNS} FROM entitlements.overrides WHERE customer_id = $1 "
        "ORDER BY created_at, id", customer_id)
    return [OverrideRow.from_row(r) for r in rows]


async def revoke_override(db: Any, customer_id: str, override_id: int) -> bool:
    found = await db.fetchval(
        "UPDATE entitlements.overrides SET revoked_at = coalesce(revoked_at, now()) "
        "WHERE id = $1 AND customer_id = $2 RETURNING id", override_id, customer_id)
    return found is not None


# -- usage ----------------------------------------------------------------------------------

async def spend_of(db: Any, key: str) -> Spend | None:
    row = await db.fetchrow(
        "SELECT customer_id, feature_id, amount, period_start, refunded_at "
        "FROM entitlements.usage_ledger WHERE idempotency_key = $1", key)
    return Spend(**dict(row)) if row else None


_SPEND = """
WITH spent AS (
  INSERT INTO entitlements.usage_ledger (idempotency_key, customer_id, feature_id, amount,
                                         period_start, source)
  VALUES ($1, $2, $3, $4, $5, 'consume') ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING customer_id, feature_id, period_start, amount),
counted AS (
  INSERT INTO entitlements.usage_counters AS c (customer_id, feature_id, period_start, used)
  SELECT customer_id, feature_id, period_start, amount FROM spent
  WHERE $6::bigint IS NULL OR amount <= $6
  ON CONFLICT (customer_id, feature_id, period_start) DO UPDATE SET used = c.used + EXCLUDED.used
  WHERE $6::bigint IS NULL OR c.used + EXCLUDED.used <= $6
  RETURNING used)
SELECT EXISTS (SELECT 1 FROM spent) AS recorded, (SELECT used FROM counted) AS used
"""


async def spend(db: Any, key: str, spend: Spend, cap: int | None) -> tuple[bool, int | None]:
    """Ledger row and counter in one statement: ``(recorded, new total)``. Not recorded: the
    key was spent by a parallel twin. Recorded with no total: ``cap`` would be passed, and the
    caller must roll back. A concurrent spender waits on the counter's row lock and then
    checks the cap against the committed total (ON CONFLICT DO UPDATE reads the latest row),
    so parallel spends never pass a hard limit."""
    row = await db.fetchrow(_SPEND, key, spend.customer_id, spend.feature_id, spend.amount,
                            spend.period_start, cap)
    return bool(row["recorded"]), row["used"]


async def count_event(db: Any, key: str, spend: Spend) -> bool:
    """Ledger and counter in one statement (atomic, and the counter's row lock is held for
    that statement only: a busy customer's events do not queue behind round trips). False
    when the key was counted before."""
    counted = await db.fetchval(
        "WITH spent AS (INSERT INTO entitlements.usage_ledger (idempotency_key, customer_id, "
        "feature_id, amount, period_start, source) VALUES ($1, $2, $3, $4, $5, 'event') "
        "ON CONFLICT (idempotency_key) DO NOTHING "
        "RETURNING customer_id, feature_id, period_start, amount) "
        "INSERT INTO entitlements.usage_counters AS c (customer_id, feature_id, period_start, "
        "used) SELECT customer_id, feature_id, period_start, amount FROM spent "
        "ON CONFLICT (customer_id, feature_id, period_start) "
        "DO UPDATE SET used = c.used + EXCLUDED.used RETURNING true",
        key, spend.customer_id, spend.feature_id, spend.amount, spend.period_start)
    return bool(counted)


_COUNT_EVENTS = """
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[])
    AS t(idempotency_key, customer_id, feature_id, amount, period_start)),
spent AS (
  INSERT INTO entitlements.usage_ledger (idempotency_key, customer_id, feature_id, amount,
                                         period_start, source)
  SELECT idempotency_key, customer_id, feature_id, amount, period_start, 'event' FROM input
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING idempotency_key, customer_id, feature_id, period_start, amount),
counted AS (
  INSERT INTO entitlements.usage_counters AS c (customer_id, feature_id, period_start, used)
  SELECT customer_id, feature_id, period_start, sum(amount) FROM spent GROUP BY 1, 2, 3
  ON CONFLICT (customer_id, feature_id, period_start) DO UPDATE SET used = c.used + EXCLUDED.used)
SELECT idempotency_key FROM spent
"""


async def count_events(db: Any, batch: list[tuple[str, Spend]]) -> set[str]:
    """Count a batch of events in one statement (one commit); the keys counted now."""
    rows = await db.fetch(
        _COUNT_EVENTS, [k for k, _ in batch], [s.customer_id for _, s in batch],
        [s.feature_id for _, s in batch], [s.amount for _, s in batch],
        [s.period_start for _, s in batch])
    return {r["idempotency_key"] for r in rows}


async def usage(db: Any, customer_id: str, feature_id: str, period_start: datetime) -> int:
    used = await db.fetchval(
        "SELECT used FROM entitlements.usage_counters "
        "WHERE customer_id = $1 AND feature_id = $2 AND period_start = $3",
        customer_id, feature_id, period_start)
    return int(used or 0)


async def refund(db: Any, key: str) -> Spend | None:
    """Mark the key's spend refunded and give it back; None if unknown or refunded already."""
    row = await db.fetchrow(
        "UPDATE entitlements.usage_ledger SET refunded_at = now() "
        "WHERE idempotency_key = $1 AND refunded_at IS NULL "
        "RETURNING customer_id, feature_id, amount, period_start, refunded_at", key)
    if row is None:
        return None
    spend = Spend(**dict(row))
    await db.execute(
        "UPDATE entitlements.usage_counters SET used = greatest(used - $4, 0) "
        "WHERE customer_id = $1 AND feature_id = $2 AND period_start = $3",
        spend.customer_id, spend.feature_id, spend.period_start, spend.amount)
    return spend
