"""Atlas datasources: what a database holds, read read-only and within bounds."""
