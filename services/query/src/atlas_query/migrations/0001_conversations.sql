-- Conversations: each ask appends the user turn and the assistant turn, once per request id.
CREATE TABLE conversations (
    id           text PRIMARY KEY,
    workspace_id text NOT NULL,
    user_id      text NOT NULL,
    title        text NOT NULL,
    surface      text NOT NULL DEFAULT 'api',
    starred      boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_owner_recent ON conversations (workspace_id, user_id, updated_at DESC);

CREATE TABLE messages (
    id              text PRIMARY KEY,
    conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    request_id      text NOT NULL,
    role            text NOT NULL CHECK (role IN ('user', 'assistant')),
    content         text NOT NULL,
    sql             jsonb NOT NULL DEFAULT '[]',
    data_summary    jsonb,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (request_id, role)
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at);
