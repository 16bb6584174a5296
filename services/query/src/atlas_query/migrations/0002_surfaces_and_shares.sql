-- Issue 15: surfaces as upstream names them ("chat" was ours for the AI SDK stream: now "web"),
-- and share links. A link's token is never stored: only its SHA-256, looked up by equality.
UPDATE conversations SET surface = 'web' WHERE surface = 'chat';

CREATE TABLE conversation_shares (
    conversation_id text PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    token_hash      text NOT NULL UNIQUE,
    share_mode      text NOT NULL DEFAULT 'public' CHECK (share_mode IN ('public', 'org')),
    expires_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
