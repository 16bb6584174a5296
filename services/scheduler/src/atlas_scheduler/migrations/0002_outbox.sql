-- The transactional outbox (atlas_common.outbox): events written in the transaction of the
-- change they follow, relayed to the bus after the commit. Applied with search_path = this schema.

CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     text NOT NULL,
    type         text NOT NULL,
    body         jsonb NOT NULL,
    traceparent  text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
