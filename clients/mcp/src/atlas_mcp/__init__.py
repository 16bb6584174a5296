"""Atlas as an MCP server: a client of the gateway only (the caller's key, never a database)."""
