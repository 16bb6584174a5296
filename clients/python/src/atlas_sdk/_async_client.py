"""The asynchronous client, :class:`AsyncAtlas`: the same methods as :class:`Atlas`, awaited."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from atlas_sdk import _base as b
from atlas_sdk._admin_client import AsyncAdmin
from atlas_sdk._client import no_cookies
from atlas_sdk._errors import error_from_response
from atlas_sdk._models import (
    ApiKeyList,
    ConversationDetail,
    ConversationList,
    CreatedApiKey,
    Health,
    QueryResult,
    SessionInfo,
    SignInResult,
    StarResult,
    StopResult,
    Table,
    ValidationResult,
)
from atlas_sdk._retry import connection_error
from atlas_sdk._scheduled_tasks import AsyncScheduledTasks
from atlas_sdk._streaming import AsyncStream

__all__ = ["AsyncAtlas"]


class AsyncAtlas(b.ClientBase):
    """An asynchronous client of one Atlas server (see :class:`~atlas_sdk.Atlas`).

    ``base_url`` defaults to ``ATLAS_URL``, then ``http://127.0.0.1:8000``; ``api_key`` to
    ``ATLAS_API_KEY``. It is sent as ``Authorization: Bearer``, so a managed-mode session token
    or a JWT works as well as a key. Pass ``http_client`` for your own transport or proxies.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._options = b.make_options(base_url, api_key, timeout, max_retries, default_headers)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(cookies=no_cookies())
        self.conversations = Conversations(self)
        self.keys = ApiKeys(self)
        self.auth = Auth(self)
        self.scheduled_tasks = AsyncScheduledTasks(self)
        self.admin = AsyncAdmin(self)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # Asking.

    async def query(
        self,
        question: str,
        conversation_id: str | None = None,
        *,
        surface: str | None = None,
        store: bool | None = None,
    ) -> QueryResult:
        """Ask and wait for the whole answer (``POST /api/v1/query``).

        ``surface`` (``web``, ``api``, ``mcp``, ``slack``) labels the stored conversation.
        ``store=False``: a one-off question, nothing stored (``conversation_id`` is None).
        """
        call = b.query_call(question, conversation_id, surface, store)
        return QueryResult.from_json(await self._json(call))

    async def stream_query(
        self,
        question: str,
        conversation_id: str | None = None,
        *,
        chat_id: str | None = None,
        surface: str | None = None,
    ) -> AsyncStream:
        """Ask and get the answer as it is written (``POST /api/v1/chat``), resumed on drops.

        Errors before the first byte raise here; an error after it is an ``ErrorEvent``.
        """
        call = b.chat_call(question, conversation_id, chat_id, uuid.uuid4().hex, surface)
        return self._stream(await self._send(call, stream=True))

    async def resume_stream(
        self, run_id: str, last_event_id: str | None = None
    ) -> AsyncStream | None:
        """Pick up a run (request id, or chat id for its latest run); None when none is active
        (finished: 204; unknown to Atlas: 404)."""
        response = await self._reopen(run_id, last_event_id)
        return None if response is None else self._stream(response)

    async def stop(self, request_id: str) -> StopResult:
        """Stop a running answer (``POST /api/v1/chat/{requestId}/stop``)."""
        body = await self._json(b.stop_call(request_id))
        return StopResult(str(body.get("requestId", request_id)), bool(body.get("stopped")))

    # Data.

    async def tables(self) -> list[Table]:
        body = await self._json(b.Call("GET", "/api/v1/tables", idempotent=True))
        tables = body.get("tables")
        return [Table.from_json(t) for t in tables or [] if isinstance(t, Mapping)]

    async def validate_sql(self, sql: str) -> ValidationResult:
        """What the SQL guard says of ``sql``, without running it (analyst role or above)."""
        body = await self._json(b.Call("POST", "/api/v1/validate-sql", json={"sql": sql}))
        return ValidationResult.from_json(body)

    async def health(self) -> Health:
        """Atlas's health; ``status`` ``error`` (503) is returned, not raised."""
        call = b.Call("GET", "/api/health", idempotent=True, ok_statuses=frozenset({503}))
        return Health.from_json(await self._json(call))

    # Plumbing.

    def _stream(self, response: httpx.Response) -> AsyncStream:
        return AsyncStream(response, reopen=self._reopen, stop=self.stop, retry=self._options.retry)

    async def _reopen(self, run_id: str, last_event_id: str | None) -> httpx.Response | None:
        response = await self._send(b.resume_call(run_id, last_event_id), stream=True)
        if response.status_code in b.NOTHING_TO_RESUME:
            await response.aclose()
            return None
        return response

    async def _json(self, call: b.Call) -> dict[str, Any]:
        return b.json_body(await self._send(call))

    async def _send(self, call: b.Call, *, stream: bool = False) -> httpx.Response:
        """Send with bounded retries (see :mod:`atlas_sdk._retry`); errors come out typed."""
        retry = 0
        while True:
            request = call.build(self._http, self._options, stream=stream)
            error: Exception
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                error = exc
            else:
                if call.accepts(response.status_code):
                    return response
                await response.aread()
                await response.aclose()
                error = error_from_response(response)
            retry += 1
            delay = self._options.retry.error_delay(retry, error, idempotent=call.idempotent)
            if delay is None:
                if isinstance(error, httpx.TransportError):
                    raise connection_error(error, self.base_url) from error
                raise error
            await asyncio.sleep(delay)


class Conversations:
    """``client.conversations``: the caller's saved conversations."""

    def __init__(self, client: AsyncAtlas) -> None:
        self._client = client

    async def list(
        self, *, limit: int | None = None, offset: int | None = None, starred: bool | None = None
    ) -> ConversationList:
        return ConversationList.from_json(
            await self._client._json(b.conversations_call(limit, offset, starred))
        )

    async def get(self, conversation_id: str) -> ConversationDetail:
        call = b.Call("GET", b.conversation_path(conversation_id), idempotent=True)
        return ConversationDetail.from_json(await self._client._json(call))

    async def delete(self, conversation_id: str) -> None:
        response = await self._client._send(b.Call("DELETE", b.conversation_path(conversation_id)))
        await response.aclose()

    async def star(self, conversation_id: str) -> StarResult:
        return await self._set_star(conversation_id, True)

    async def unstar(self, conversation_id: str) -> StarResult:
        return await self._set_star(conversation_id, False)

    async def _set_star(self, conversation_id: str, starred: bool) -> StarResult:
        path = b.conversation_path(conversation_id) + "/star"
        body = await self._client._json(
            b.Call("PATCH", path, json={"starred": starred}, idempotent=True)
        )
        return StarResult(str(body.get("id", conversation_id)), bool(body.get("starred")))


class ApiKeys:
    """``client.keys``: the workspace's stored API keys (admin role)."""

    def __init__(self, client: AsyncAtlas) -> None:
        self._client = client

    async def list(self) -> ApiKeyList:
        call = b.Call("GET", "/api/auth/api-key/list", idempotent=True)
        return ApiKeyList.from_json(await self._client._json(call))

    async def create(
        self,
        name: str,
        *,
        expires_in: int | None = None,
        role: str | None = None,
        claims: Mapping[str, Any] | None = None,
    ) -> CreatedApiKey:
        """A new key; its secret (``.key``) is in this answer only. ``expires_in`` in seconds."""
        call = b.key_create_call(name, expires_in, role, claims)
        return CreatedApiKey.from_json(await self._client._json(call))

    async def revoke(self, key_id: str) -> None:
        call = b.Call("POST", "/api/auth/api-key/delete", json={"keyId": key_id}, idempotent=True)
        await self._client._json(call)


class Auth:
    """``client.auth``: managed-mode sessions."""

    def __init__(self, client: AsyncAtlas) -> None:
        self._client = client

    async def sign_in(self, email: str, password: str) -> SignInResult:
        """A session for ``email``; use ``.token`` as the ``api_key`` of a client."""
        body = {"email": email, "password": password}
        call = b.Call("POST", "/api/auth/sign-in/email", json=body)
        return SignInResult.from_json(await self._client._json(call))

    async def sign_out(self) -> None:
        """End the session this client authenticates with."""
        await self._client._json(b.Call("POST", "/api/auth/sign-out", idempotent=True))

    async def get_session(self) -> SessionInfo | None:
        call = b.Call("GET", "/api/auth/get-session", idempotent=True)
        response = b.checked(await self._client._send(call))
        body = response.json()
        return SessionInfo.from_json(body) if isinstance(body, dict) else None
