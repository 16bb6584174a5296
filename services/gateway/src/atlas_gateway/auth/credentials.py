"""Where a request's credential comes from, and the hash the cache is keyed by."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from starlette.requests import Request

SESSION_COOKIE = "atlas.session_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Credential:
    kind: str  # "bearer" | "api-key" | "cookie" | "none"
    value: str

    @property
    def cache_key(self) -> str:
        return hashlib.sha256(f"{self.kind}\0{self.value}".encode()).hexdigest()


def credential_of(request: Request) -> Credential:
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return Credential("bearer", token.strip())
    api_key = request.headers.get("x-api-key", "").strip()
    if api_key:
        return Credential("api-key", api_key)
    cookie = request.cookies.get(SESSION_COOKIE, "").strip()
    if cookie:
        return Credential("cookie", cookie)
    return Credential("none", "")


def verify_body(request: Request, credential: Credential) -> dict[str, str | None]:
    """The body of the auth service's ``/internal/v1/verify``."""
    return {
        "authorization": f"Bearer {credential.value}" if credential.kind == "bearer" else None,
        "apiKey": credential.value if credential.kind == "api-key" else None,
        "sessionCookie": credential.value if credential.kind == "cookie" else None,
        "origin": request.headers.get("origin"),
        "host": request.headers.get("host"),
        "method": request.method,
        "clientIp": request.client.host if request.client else None,
    }
