"""The credential a request carries, read the same way from a verify call and from a proxied
request.

Precedence: ``Authorization: Bearer``, then ``X-API-Key``, then the session cookie. Only the
cookie is ambient (the browser sends it by itself), so only a cookie-authenticated request with
an unsafe method must carry an ``Origin`` matching its host (or a trusted origin).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from fastapi import Request

from atlas_auth.errors import AuthFailed, Forbidden
from atlas_auth.schemas import MAX_HEADER, VerifyRequest

SESSION_COOKIE = "atlas.session_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Source = Literal["bearer", "api-key", "cookie"]


@dataclass(frozen=True)
class Presented:
    """One credential, where it came from, and the request facts needed to judge it."""

    value: str
    source: Source
    method: str = "GET"
    origin: str | None = None
    host: str | None = None
    client_ip: str | None = None

    @property
    def unsafe(self) -> bool:
        return self.method.upper() not in SAFE_METHODS


def _bearer(header: str) -> str:
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthFailed("The Authorization header must be 'Bearer <credential>'")
    return token


def pick(authorization: str | None, api_key: str | None, cookie: str | None) -> tuple[str, Source]:
    """The credential to verify, or AuthFailed when none (or an oversized one) is present."""
    if authorization:
        value, source = _bearer(authorization), "bearer"
    elif api_key and api_key.strip():
        value, source = api_key.strip(), "api-key"
    elif cookie:
        value, source = cookie, "cookie"
    else:
        raise AuthFailed("Authentication required")
    if len(value) > MAX_HEADER:
        raise AuthFailed()
    return value, source  # type: ignore[return-value]


def from_verify_request(body: VerifyRequest) -> Presented:
    value, source = pick(body.authorization, body.api_key, body.session_cookie)
    return Presented(value, source, body.method, body.origin, body.host, body.client_ip)


def forwarded_host(request: Request) -> str | None:
    return request.headers.get("x-forwarded-host") or request.headers.get("host")


def client_ip(request: Request) -> str | None:
    """The caller's address: the entry the gateway appended to X-Forwarded-For, else the peer.

    Every route sits behind the internal token, so only the gateway can set this header.
    """
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:64]
    return request.client.host if request.client else None


def is_https(request: Request) -> bool:
    proto = request.headers.get("x-forwarded-proto", request.url.scheme)
    return proto.split(",")[0].strip().lower() == "https"


def from_request(request: Request) -> Presented:
    value, source = pick(request.headers.get("authorization"), request.headers.get("x-api-key"),
                         request.cookies.get(SESSION_COOKIE))
    return Presented(value, source, request.method, request.headers.get("origin"),
                     forwarded_host(request), client_ip(request))


def origin_allowed(origin: str | None, host: str | None, trusted: list[str]) -> bool:
    if not origin or origin == "null":
        return False
    normalised = origin.strip().rstrip("/").lower()
    if normalised in (t.lower() for t in trusted):
        return True
    netloc = urlsplit(normalised).netloc
    return bool(host) and netloc == (host or "").strip().lower()


def check_csrf(presented: Presented, trusted: list[str]) -> None:
    """Refuse a cookie-authenticated unsafe request whose Origin is not this site (403)."""
    if presented.source != "cookie" or not presented.unsafe:
        return
    if not origin_allowed(presented.origin, presented.host, trusted):
        raise Forbidden("Cookie-authenticated requests that change state need a matching Origin")


def check_form_origin(request: Request, trusted: list[str]) -> None:
    """Sign-up / sign-in: a browser always sends Origin; a foreign one is refused (login CSRF)."""
    origin = request.headers.get("origin")
    if origin is not None and not origin_allowed(origin, forwarded_host(request), trusted):
        raise Forbidden("Origin not allowed")
