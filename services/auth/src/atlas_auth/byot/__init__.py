"""byot mode: JWTs from the operator's identity provider, verified against its JWKS."""
