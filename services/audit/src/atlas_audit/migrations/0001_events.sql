-- The audit trail. Applied with search_path = this schema.
-- One row per audited event (an answered question or a change), partitioned by month on
-- occurred_at so retention drops whole partitions instead of deleting rows. The primary key
-- holds the partition key, so a redelivered event (same event_id) is written once.

CREATE TABLE events (
    event_id        text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    workspace_id    text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('question', 'change')),
    action          text NOT NULL,
    -- Who asked, or who made the change (null: a change no person made).
    user_id         text,
    -- The key or user a change is about; null for questions.
    target_id       text,
    role            text,
    auth_mode       text,
    credential_id   text,
    surface         text,
    conversation_id text,
    request_id      text,
    question        text,
    -- The statements as they ran, joined with ";\n" ('' for none).
    sql             text NOT NULL DEFAULT '',
    tables          text[] NOT NULL DEFAULT '{}',
    row_count       bigint,
    duration_ms     integer,
    outcome         text,
    error_code      text,
    error_message   text,
    tokens          integer,
    answered_by     text,
    datasource      text,
    details         jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);

-- Rows whose month has no partition (far past or future clocks) land here, never fail.
CREATE TABLE events_default PARTITION OF events DEFAULT;

-- Every query is scoped to one workspace and reads newest first (keyset on occurred_at, id).
CREATE INDEX events_workspace_time ON events (workspace_id, occurred_at DESC, event_id DESC);
CREATE INDEX events_workspace_user ON events (workspace_id, user_id, occurred_at DESC);
CREATE INDEX events_workspace_outcome ON events (workspace_id, outcome, occurred_at DESC);
CREATE INDEX events_workspace_surface ON events (workspace_id, surface, occurred_at DESC);
CREATE INDEX events_workspace_action ON events (workspace_id, action, occurred_at DESC);
CREATE INDEX events_tables ON events USING gin (tables);
