"""What the sync and async clients share: settings, the requests of each method, responses.

Every method of the clients is a :class:`Call` built here, then sent by the client's own
(sync or async) retry loop, so the two clients cannot drift apart on the wire.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from atlas_sdk._errors import APIError, error_from_response
from atlas_sdk._retry import DEFAULT_MAX_RETRIES, RetryPolicy
from atlas_sdk._version import __version__

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
#: Atlas's own deadline for an answer is 120 s by default; the read timeout leaves room.
DEFAULT_TIMEOUT = httpx.Timeout(180.0, connect=10.0)
#: A stream gets a ping at least every 15 s: a silence this long is a dead connection.
STREAM_READ_TIMEOUT = 60.0
# A finished run (204) and one Atlas does not know (404 ``not_found``): nothing to resume.
NOTHING_TO_RESUME = frozenset({204, 404})


@dataclass(frozen=True)
class Options:
    base_url: str
    api_key: str | None
    timeout: httpx.Timeout
    retry: RetryPolicy
    headers: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def request_headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"accept": "application/json", "user-agent": f"atlas-sdk-python/{__version__}"}
        headers.update(self.headers)
        if self.api_key:
            headers["authorization"] = f"Bearer {self.api_key}"
        headers.update(extra or {})
        return headers

    def stream_timeout(self) -> httpx.Timeout:
        read = self.timeout.read
        read = STREAM_READ_TIMEOUT if read is None else min(read, STREAM_READ_TIMEOUT)
        return httpx.Timeout(
            self.timeout.connect, read=read, write=self.timeout.write, pool=self.timeout.pool
        )


def make_options(
    base_url: str | None,
    api_key: str | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int | None,
    default_headers: Mapping[str, str] | None,
) -> Options:
    """Arguments first, then ``ATLAS_URL`` / ``ATLAS_API_KEY``, then the defaults."""
    url = base_url or os.environ.get("ATLAS_URL") or DEFAULT_BASE_URL
    key = api_key if api_key is not None else os.environ.get("ATLAS_API_KEY")
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    elif not isinstance(timeout, httpx.Timeout):
        timeout = httpx.Timeout(timeout, connect=min(timeout, DEFAULT_TIMEOUT.connect or timeout))
    retries = DEFAULT_MAX_RETRIES if max_retries is None else max(0, max_retries)
    return Options(
        base_url=url.rstrip("/"),
        api_key=key or None,
        timeout=timeout,
        retry=RetryPolicy(max_retries=retries),
        headers=dict(default_headers or {}),
    )


@dataclass(frozen=True)
class Call:
    """One API call: what to send, and whether sending it twice is harmless."""

    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    idempotent: bool = False
    headers: dict[str, str] | None = None
    #: Error statuses whose body is still the answer (``/api/health`` is 503 when down).
    ok_statuses: frozenset[int] = frozenset()

    def accepts(self, status_code: int) -> bool:
        return status_code < 400 or status_code in self.ok_statuses

    def build(
        self, http: httpx.Client | httpx.AsyncClient, options: Options, *, stream: bool
    ) -> httpx.Request:
        return http.build_request(
            self.method,
            options.url(self.path),
            json=self.json,
            params=self.params,
            headers=options.request_headers(self.headers),
            timeout=options.stream_timeout() if stream else options.timeout,
        )


def segment(value: str) -> str:
    """A path segment, escaped: an id never changes which route is called."""
    if not value:
        raise ValueError("an id must not be empty")
    return quote(value, safe="")


def query_call(
    question: str,
    conversation_id: str | None,
    surface: str | None = None,
    store: bool | None = None,
) -> Call:
    body: dict[str, Any] = {"question": question}
    if conversation_id is not None:
        body["conversationId"] = conversation_id
    if surface is not None:
        body["surface"] = surface
    if store is not None:
        body["store"] = store
    return Call("POST", "/api/v1/query", json=body)


def chat_call(
    question: str,
    conversation_id: str | None,
    chat_id: str | None,
    message_id: str,
    surface: str | None = None,
) -> Call:
    body: dict[str, Any] = {
        "messages": [
            {"id": message_id, "role": "user", "parts": [{"type": "text", "text": question}]}
        ]
    }
    if chat_id is not None:
        body["id"] = chat_id
    if conversation_id is not None:
        body["conversationId"] = conversation_id
    if surface is not None:
        body["surface"] = surface
    return Call("POST", "/api/v1/chat", json=body, headers={"accept": "text/event-stream"})


def resume_call(run_id: str, last_event_id: str | None) -> Call:
    headers = {"accept": "text/event-stream"}
    if last_event_id is not None:
        headers["last-event-id"] = last_event_id
    return Call("GET", f"/api/v1/chat/{segment(run_id)}/stream", idempotent=True, headers=headers,
                ok_statuses=NOTHING_TO_RESUME)



def stop_call(request_id: str) -> Call:
    return Call("POST", f"/api/v1/chat/{segment(request_id)}/stop")


def conversations_call(limit: int | None, offset: int | None, starred: bool | None) -> Call:
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = limit
    if offset is not None:
        params["offset"] = offset
    if starred is not None:
        params["starred"] = "true" if starred else "false"
    return Call("GET", "/api/v1/conversations", params=params or None, idempotent=True)


def conversation_path(conversation_id: str) -> str:
    return f"/api/v1/conversations/{segment(conversation_id)}"


def key_create_call(
    name: str, expires_in: int | None, role: str | None, claims: Mapping[str, Any] | None
) -> Call:
    body: dict[str, Any] = {"name": name}
    if expires_in is not None:
        body["expiresIn"] = expires_in
    if role is not None:
        body["role"] = role
    if claims is not None:
        body["claims"] = dict(claims)
    return Call("POST", "/api/auth/api-key/create", json=body)


def checked(response: httpx.Response) -> httpx.Response:
    """The response, or its typed error. A streamed response is read first."""
    if response.status_code >= 400:
        raise error_from_response(response)
    return response


def json_body(response: httpx.Response) -> dict[str, Any]:
    checked(response)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise APIError(
            "Atlas answered with something that is not a JSON object",
            code="invalid_response",
            status_code=response.status_code,
            request_id=response.headers.get("x-request-id"),
        )
    return body


def mask(secret: str | None) -> str:
    """``atlas_sk_abcdef...`` -> ``atla…cdef``; for reprs and messages, never the secret."""
    if not secret:
        return "None"
    return "****" if len(secret) < 20 else f"{secret[:4]}…{secret[-4:]}"


class ClientBase:
    """What the sync and the async client show alike: where they point, how they retry."""

    _options: Options

    @property
    def base_url(self) -> str:
        return self._options.base_url

    @property
    def max_retries(self) -> int:
        return self._options.retry.max_retries

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(base_url={self.base_url!r}, api_key={mask(self._options.api_key)})"


class SyncCaller(Protocol):
    """What a namespace (``client.admin``, ``client.scheduled_tasks``) needs of the sync client:
    so the namespace modules import no client module."""

    def _json(self, call: Call) -> dict[str, Any]: ...
    def _send(self, call: Call, *, stream: bool = False) -> httpx.Response: ...


class AsyncCaller(Protocol):
    """The same of the async client."""

    async def _json(self, call: Call) -> dict[str, Any]: ...
    async def _send(self, call: Call, *, stream: bool = False) -> httpx.Response: ...
