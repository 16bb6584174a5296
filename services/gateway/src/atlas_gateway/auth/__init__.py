"""Authentication at the gateway: credentials verified by the auth service, cached per replica."""
