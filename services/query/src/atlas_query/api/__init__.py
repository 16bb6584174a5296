"""The query-api process: the query service's reads (tables, validate-sql; conversations
later), behind the internal token. Run it with ``atlas-query-api``."""
