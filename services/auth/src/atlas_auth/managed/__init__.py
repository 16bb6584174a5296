"""managed mode: users, sessions and workspaces in PostgreSQL (schema ``auth``)."""
