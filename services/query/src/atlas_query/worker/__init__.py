"""The query worker: consumes ``query.requested`` and streams answers."""
