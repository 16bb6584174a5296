-- Scheduled tasks and their runs. Applied with search_path = this schema.

CREATE TABLE tasks (
    id               uuid PRIMARY KEY,
    workspace        text NOT NULL,
    -- The owner as they were when they last saved the task: a run asks as this principal
    -- (role and RLS claims included), so it sees what the owner would see.
    owner_id         text NOT NULL,
    owner_role       text NOT NULL,
    owner_claims     jsonb NOT NULL DEFAULT '{}'::jsonb,
    owner_principal  jsonb NOT NULL,
    name             text NOT NULL,
    question         text NOT NULL,
    cron_expression  text NOT NULL,
    timezone         text NOT NULL DEFAULT 'UTC',
    delivery_channel text NOT NULL CHECK (delivery_channel IN ('email', 'slack', 'webhook')),
    recipients       jsonb NOT NULL DEFAULT '[]'::jsonb,
    enabled          boolean NOT NULL DEFAULT true,
    last_run_at      timestamptz,
    next_run_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The scheduler's one hot query: enabled tasks that are due.
CREATE INDEX tasks_due ON tasks (next_run_at) WHERE enabled;
CREATE INDEX tasks_workspace_owner ON tasks (workspace, owner_id);

CREATE TABLE runs (
    id               uuid PRIMARY KEY,
    task_id          uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    -- The schedule's slot this run is for (a trigger's is its own time): one run per slot.
    slot_at          timestamptz NOT NULL,
    trigger          text NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual')),
    status           text NOT NULL CHECK (status IN ('running', 'success', 'failed', 'skipped')),
    delivery_status  text,
    delivery_error   text,
    delivery_attempts integer,
    conversation_id  text,
    request_id       text,
    error            text,
    tokens_used      integer,
    deadline_at      timestamptz,
    -- The replica collecting the answer renews this; past it, another replica takes over.
    lease_until      timestamptz,
    -- The moment of the insert, not of its transaction: a slot's lateness (bench/scheduler.py).
    started_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at      timestamptz,
    UNIQUE (task_id, slot_at)
);

CREATE INDEX runs_task_started ON runs (task_id, started_at DESC);
CREATE INDEX runs_running_lease ON runs (lease_until) WHERE status = 'running';
