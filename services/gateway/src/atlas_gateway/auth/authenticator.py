"""Who is calling: the local cache, else the auth service (which verifies every credential)."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request

from atlas_common.errors import AtlasError, Overloaded, Unavailable, error_code
from atlas_common.internal import internal_headers
from atlas_common.metrics import cache_lookup
from atlas_common.principal import Principal
from atlas_gateway.auth.cache import PrincipalCache
from atlas_gateway.auth.credentials import SAFE_METHODS, credential_of, verify_body
from atlas_gateway.errors import OriginMismatch

log = logging.getLogger(__name__)
_PASSED_HEADERS = ("www-authenticate", "retry-after")


class Authenticator:
    def __init__(
        self,
        auth_url: str,
        token: str,
        http: httpx.AsyncClient,
        cache: PrincipalCache,
        cors_origins: list[str],
    ) -> None:
        self._url = auth_url.rstrip("/")
        self._token = token
        self._http = http
        self.cache = cache
        self._cors_origins = cors_origins
        # A burst of requests with one credential (a widget's key, a page's session) before it
        # is cached: one verify call, awaited by all (was: one each, and past the client's
        # pool, "auth unreachable" for the rest).
        self._verifying: dict[str, asyncio.Future[Principal]] = {}

    async def principal(self, request: Request) -> Principal:
        credential = credential_of(request)
        if credential.kind == "cookie" and request.method not in SAFE_METHODS:
            self._check_origin(request)
        cached = self.cache.get(credential.cache_key)
        cache_lookup("principal", cached is not None)
        if cached is not None:
            return cached
        key = credential.cache_key
        pending = self._verifying.get(key)
        if pending is None:
            pending = asyncio.ensure_future(
                self._verify_into_cache(key, verify_body(request, credential)))
            pending.add_done_callback(lambda done: self._settled(key, done))
            self._verifying[key] = pending
        # shielded: a caller that hangs up does not cancel the others' verification
        return await asyncio.shield(pending)

    async def _verify_into_cache(self, key: str, body: dict[str, str | None]) -> Principal:
        principal, ttl = await self._verify(body)
        self.cache.put(key, principal, ttl)
        return principal

    def _settled(self, key: str, done: asyncio.Future[Principal]) -> None:
        """Forget a finished verification, its error marked seen (its waiters may all have
        hung up)."""
        if self._verifying.get(key) is done:
            del self._verifying[key]
        if not done.cancelled():
            done.exception()

    async def mode(self) -> str:
        response = await self._http.get(
            f"{self._url}/internal/v1/mode", headers=internal_headers(self._token), timeout=2
        )
        response.raise_for_status()
        return str(response.json()["mode"])

    def forget(self, request: Request) -> None:
        """Drop this request's credential from the cache (sign-out served by this replica)."""
        self.cache.drop_key(credential_of(request).cache_key)

    async def _verify(self, body: dict[str, str | None]) -> tuple[Principal, float | None]:
        try:
            response = await self._http.post(
                f"{self._url}/internal/v1/verify",
                json=body,
                headers=internal_headers(self._token),
                timeout=5,
            )
        except httpx.PoolTimeout as exc:  # every connection to auth busy: load, not an outage
            raise Overloaded("Too many sign-ins are being checked at once", retry_after=2) from exc
        except httpx.HTTPError as exc:
            log.warning("auth service unreachable: %r", exc)
            raise Unavailable(
                "The auth service is unreachable", retry_after=2
            ) from exc
        if response.status_code != 200:
            raise _error_from(response)
        payload = response.json()
        ttl = payload.get("cacheTtlSeconds")
        return Principal.model_validate(payload["principal"]), float(ttl) if ttl else None

    def _check_origin(self, request: Request) -> None:
        """A cookie-authenticated unsafe request must come from our own page (CSRF)."""
        origin = request.headers.get("origin")
        host = request.headers.get("host", "")
        if origin and (urlsplit(origin).netloc == host or origin in self._cors_origins):
            return
        raise OriginMismatch


def _error_from(response: httpx.Response) -> AtlasError:
    try:
        body = response.json()
        code, message = str(body["error"]), str(body["message"])
    except (ValueError, KeyError, TypeError):
        code, message = "auth_error", "Authentication failed"
    headers = {k: v for k, v in response.headers.items() if k.lower() in _PASSED_HEADERS}
    if response.status_code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="atlas"')
    status = response.status_code if 400 <= response.status_code < 500 else 503
    return AtlasError(
        message, code=error_code(code, "auth_error") if status != 503 else "unavailable",
        status_code=status, headers=headers
    )
