-- Keys schema: API keys per workspace.
-- Applied by atlas_common.db.migrate with search_path = keys.
-- The secret is never stored: key_hash = SHA-256 of the whole key (256 random bits make a
-- slow hash pointless); id is the public part of the key, used for lookup.

CREATE TABLE api_keys (
    id            text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
    workspace_id  text NOT NULL,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    key_hash      bytea NOT NULL CHECK (octet_length(key_hash) = 32),
    prefix        text NOT NULL,
    start         text NOT NULL,
    role          text NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    claims        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_request  timestamptz
);

CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id, created_at DESC, id);
CREATE INDEX api_keys_active_creator_idx ON api_keys (created_by) WHERE revoked_at IS NULL;
