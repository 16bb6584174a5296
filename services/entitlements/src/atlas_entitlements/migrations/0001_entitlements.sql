-- Entitlements schema: the catalog (features, plans) loaded from the plans file, customers
-- (workspaces) with their subscription and overrides, and usage.
-- Applied by atlas_common.db.migrate with search_path = entitlements.

-- Every change of a customer's entitlements, and every change of the catalog, takes the next
-- value: versions only grow, so a cache can refuse a read older than an event it has seen.
CREATE SEQUENCE versions;

CREATE TABLE features (
    id           text PRIMARY KEY,
    type         text NOT NULL CHECK (type IN ('boolean', 'metered', 'gauge')),
    reset        text NOT NULL DEFAULT 'none' CHECK (reset IN ('none', 'day', 'week', 'month')),
    unit         text,
    description  text
);

CREATE TABLE plans (
    id           text PRIMARY KEY,
    is_default   boolean NOT NULL DEFAULT false,
    description  text
);
CREATE UNIQUE INDEX plans_one_default ON plans (is_default) WHERE is_default;

-- A row means "in the plan". A boolean has neither limit nor unlimited.
CREATE TABLE plan_features (
    plan_id     text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    feature_id  text NOT NULL REFERENCES features (id) ON DELETE CASCADE,
    "limit"     bigint CHECK ("limit" >= 0),
    unlimited   boolean NOT NULL DEFAULT false,
    policy      text NOT NULL DEFAULT 'hard' CHECK (policy IN ('hard', 'soft')),
    PRIMARY KEY (plan_id, feature_id)
);

-- The loaded catalog: one row.
CREATE TABLE catalog (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    checksum   text NOT NULL,
    version    bigint NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id          text PRIMARY KEY,
    version     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A plan with subscribers cannot be deleted (RESTRICT): the loader refuses such a file first.
CREATE TABLE subscriptions (
    customer_id  text PRIMARY KEY REFERENCES customers (id),
    plan_id      text NOT NULL REFERENCES plans (id) ON DELETE RESTRICT,
    started_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_plan_idx ON subscriptions (plan_id);

-- Per-customer overrides: a grant replaces the plan's entry for a feature (the newest active
-- one wins); a top-up adds to the limit. Both may expire.
CREATE TABLE overrides (
    id           bigserial PRIMARY KEY,
    customer_id  text NOT NULL REFERENCES customers (id),
    feature_id   text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('grant', 'top_up')),
    included     boolean NOT NULL DEFAULT true,
    "limit"      bigint CHECK ("limit" >= 0),
    unlimited    boolean NOT NULL DEFAULT false,
    policy       text CHECK (policy IN ('hard', 'soft')),
    amount       bigint CHECK (amount > 0),
    note         text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX overrides_live_idx ON overrides (customer_id) WHERE revoked_at IS NULL;

-- Usage per calendar period (period_start from the one period function).
CREATE TABLE usage_counters (
    customer_id   text NOT NULL,
    feature_id    text NOT NULL,
    period_start  timestamptz NOT NULL,
    used          bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (customer_id, feature_id, period_start)
);

-- Every spend, once: consume calls and usage.recorded events. Unique on the idempotency key;
-- the counter moves in the same transaction as the insert.
CREATE TABLE usage_ledger (
    idempotency_key  text PRIMARY KEY,
    customer_id      text NOT NULL,
    feature_id       text NOT NULL,
    amount           bigint NOT NULL CHECK (amount > 0),
    period_start     timestamptz NOT NULL,
    source           text NOT NULL CHECK (source IN ('consume', 'event')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    refunded_at      timestamptz
);
