"""Atlas audit service: the audit trail of answered questions and changes."""
