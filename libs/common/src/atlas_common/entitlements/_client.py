"""The entitlements client every gating process holds: cache, version guard, fallback.

Decisions that do not depend on a moving counter (a boolean, a feature not in the plan, an
unlimited one, a soft limit, a gauge whose value a local provider computes) come from the
customer's cached snapshot. A hard consumable is never decided from the cache: ``check`` and
``consume`` ask the service. When the service is unreachable, a snapshot past its TTL is used
for ``stale_s`` more (last-known-good); after that, or for a hard consumable, the per-feature
fallback decides (default deny), marked ``reason="fallback"``.

Without a plans file the client allows everything locally and never calls the service.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import quote

import httpx

from atlas_common.bus import Bus, Delivery, names
from atlas_common.entitlements._cache import SnapshotCache
from atlas_common.entitlements._decide import Limit, local_allow
from atlas_common.entitlements._errors import EntitlementsCallError
from atlas_common.entitlements._models import Decision, Refund, Snapshot
from atlas_common.entitlements._providers import LimitProviders
from atlas_common.entitlements._settings import EntitlementsSettings
from atlas_common.internal import internal_headers
from atlas_common.messages import SubscriptionChanged
from atlas_common.tracing import http_transport

log = logging.getLogger("atlas_common.entitlements")
_LOUD_EVERY_S = 60.0
_LIMITS = httpx.Limits(max_connections=50, max_keepalive_connections=20)


class Unreachable(Exception):
    """The service did not answer (transport error, timeout, or a 5xx)."""


class EntitlementsClient:
    def __init__(
        self,
        settings: EntitlementsSettings,
        *,
        http: httpx.AsyncClient | None = None,
        providers: LimitProviders | None = None,
    ) -> None:
        self.settings = settings
        self.enabled = settings.gate_enabled
        self.providers = providers or LimitProviders()
        self.cache = SnapshotCache(
            settings.entitlements_cache_ttl_s,
            settings.entitlements_stale_s,
            settings.entitlements_cache_max,
        )
        self._url = settings.entitlements_url.rstrip("/")
        self._headers = internal_headers(settings.internal_token)
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=settings.entitlements_timeout_s,
            limits=_LIMITS,
            transport=http_transport(limits=_LIMITS),
        )
        self._fallbacks = settings.fallbacks
        self._without_provider = settings.allowed_without_provider
        self._down_until = 0.0
        self._inflight: dict[str, asyncio.Future[Snapshot]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._loud: dict[str, float] = {}

    @property
    def internal_token(self) -> str:
        return self.settings.internal_token

    async def aclose(self) -> None:
        if self._background:
            await asyncio.wait(self._background, timeout=self.settings.entitlements_timeout_s)
        if self._own_http:
            await self._http.aclose()

    # -- deciding ------------------------------------------------------------------------

    async def has_feature(self, customer_id: str, feature: str) -> Decision:
        """Is ``feature`` in the customer's plan (limits not considered)? From the cache."""
        if not self.enabled:
            return local_allow(feature)
        return (await self.limit(customer_id, feature)).presence()

    async def check(self, customer_id: str, feature: str, requested: int = 1) -> Decision:
        """May the customer use ``requested`` more units of ``feature`` now?"""
        if not self.enabled:
            return local_allow(feature)
        limit = await self.limit(customer_id, feature)
        grant = limit.grant
        if limit.fallback is not None or grant is None or not grant.limited:
            return limit.decide(None, requested)
        if grant.type == "gauge":
            return await self._gauge(customer_id, limit, requested)
        if grant.policy == "soft":
            return limit.decide(grant.used or 0, requested)
        return await self._ask_check(customer_id, feature, requested)

    async def consume(
        self, customer_id: str, feature: str, amount: int, idempotency_key: str
    ) -> Decision:
        """Spend ``amount`` atomically (idempotent on the key); denied spends cost nothing."""
        if not self.enabled:
            return local_allow(feature)
        body = {
            "customer_id": customer_id,
            "feature": feature,
            "amount": amount,
            "idempotency_key": idempotency_key,
        }
        try:
            return Decision.model_validate_json(await self._post("/internal/v1/consume", body))
        except Unreachable:
            return self._fallback(feature)

    async def refund(self, idempotency_key: str) -> Refund:
        """Give back what the key spent (idempotent). Raises Unreachable when it could not."""
        if not self.enabled:
            return Refund(refunded=False, idempotency_key=idempotency_key)
        payload = await self._post("/internal/v1/refund", {"idempotency_key": idempotency_key})
        return Refund.model_validate_json(payload)

    def refund_soon(self, idempotency_key: str) -> None:
        """Refund in the background (a failed answer should not wait for it); logs failures."""
        if not self.enabled:
            return
        task = asyncio.create_task(self._refund_logged(idempotency_key))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def limit(self, customer_id: str, feature: str) -> Limit:
        """What the customer has of ``feature``: decide with :meth:`Limit.decide`."""
        if not self.enabled:
            return Limit(feature, None, open=True, source="local")
        snapshot = self.cache.fresh(customer_id)
        if snapshot is not None:
            return Limit.of(snapshot, feature, "cache")
        try:
            return Limit.of(await self.snapshot(customer_id), feature, "service")
        except Unreachable:
            stale = self.cache.last_known_good(customer_id)
            if stale is not None:
                return Limit.of(stale, feature, "stale")
            return Limit(feature, None, fallback=self._fallback(feature))

    # -- cache and events ----------------------------------------------------------------

    async def snapshot(self, customer_id: str) -> Snapshot:
        """The customer's snapshot from the service (one read per customer at a time)."""
        pending = self._inflight.get(customer_id)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Snapshot] = asyncio.get_running_loop().create_future()
        self._inflight[customer_id] = future
        try:
            snapshot = await self._read_snapshot(customer_id)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody else has to
            raise
        finally:
            self._inflight.pop(customer_id, None)
        future.set_result(snapshot)
        return snapshot

    def invalidate(self, customer_id: str, version: int) -> int:
        return self.cache.invalidate(customer_id, version)

    def flush(self) -> None:
        self.cache.flush()

    async def attach(self, bus: Bus) -> None:
        """Keep the cache true to the bus: ``subscription.changed`` drops the customer's
        snapshot, and a reconnect (events may have been missed) drops them all. Every process
        holding a client calls this once its bus is connected."""
        await bus.subscribe_events([names.SUBSCRIPTION_CHANGED], self.handle)
        bus.on_reconnect(self.flush)

    async def handle(self, message: SubscriptionChanged, delivery: Delivery) -> None:
        self.invalidate(message.customer_id, message.version)

    # -- internals -----------------------------------------------------------------------

    async def _read_snapshot(self, customer_id: str) -> Snapshot:
        path = f"/internal/v1/customers/{quote(customer_id, safe='')}/entitlements"
        for _ in range(2):  # a read older than an event already seen is read again, once
            token = self.cache.begin()
            snapshot = Snapshot.model_validate_json(await self._get(path))
            if self.cache.put(snapshot, token):
                return snapshot
            cached = self.cache.fresh(customer_id)
            if cached is not None and cached.version >= snapshot.version:
                return cached
            if snapshot.version >= self.cache.floor(customer_id):
                return snapshot  # begun before a flush: right, but not stored
        log.warning("entitlements of %s read older than an event, twice", customer_id)
        return snapshot

    async def _gauge(self, customer_id: str, limit: Limit, requested: int) -> Decision:
        provider = self.providers.get(limit.feature)
        if provider is not None:
            return limit.decide(await provider(customer_id), requested)
        if limit.feature in self._without_provider:
            return limit.presence()
        self._loudly(limit.feature)
        return limit.decide(None, requested)

    async def _ask_check(self, customer_id: str, feature: str, requested: int) -> Decision:
        body = {"customer_id": customer_id, "feature": feature, "requested": requested}
        try:
            return Decision.model_validate_json(await self._post("/internal/v1/check", body))
        except Unreachable:
            return self._fallback(feature)

    def _fallback(self, feature: str) -> Decision:
        allowed = self._fallbacks.get(feature, "deny") == "allow"
        log.warning(
            "entitlements unreachable: fallback %s for %s",
            "allows" if allowed else "denies",
            feature,
        )
        return Decision(allowed=allowed, reason="fallback", feature=feature, source="fallback")

    def _loudly(self, feature: str) -> None:
        now = time.monotonic()
        if now - self._loud.get(feature, -_LOUD_EVERY_S) >= _LOUD_EVERY_S:
            self._loud[feature] = now
            log.error(
                "DENIED: %s is a limited gauge and no limit provider is registered in this "
                "process; register one, or list it in ATLAS_ENTITLEMENTS_ALLOW_WITHOUT_PROVIDER",
                feature,
            )

    async def _refund_logged(self, idempotency_key: str) -> None:
        try:
            await self.refund(idempotency_key)
        except (Unreachable, EntitlementsCallError) as exc:
            log.error("refund of %s failed: %r", idempotency_key, exc)

    async def _get(self, path: str) -> bytes:
        return await self._call("GET", path, None)

    async def _post(self, path: str, body: dict[str, Any]) -> bytes:
        return await self._call("POST", path, body)

    async def _call(self, method: str, path: str, body: dict[str, Any] | None) -> bytes:
        if time.monotonic() < self._down_until:
            raise Unreachable("the entitlements service failed recently")
        try:
            response = await self._http.request(
                method, self._url + path, json=body, headers=self._headers
            )
        except httpx.HTTPError as exc:
            self._down_until = time.monotonic() + self.settings.entitlements_retry_s
            raise Unreachable(repr(exc)) from exc
        if response.status_code >= 500:
            self._down_until = time.monotonic() + self.settings.entitlements_retry_s
            raise Unreachable(f"{method} {path}: {response.status_code}")
        if response.status_code >= 400:
            raise _call_error(response)
        return response.content


def _call_error(response: httpx.Response) -> EntitlementsCallError:
    try:
        body = response.json()
        message = f"entitlements refused the call: {body['error']}: {body['message']}"
    except (ValueError, KeyError, TypeError):
        message = f"entitlements refused the call with {response.status_code}"
    return EntitlementsCallError(message)
