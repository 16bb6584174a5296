"""One HTTP POST to a checked, pinned address, its status turned into retry / permanent.

Shared by the webhook and Slack channels. Redirects are never followed (a receiver cannot send
the payload to another host); 408, 429 and 5xx are retried, other 4xx and 3xx are not.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from atlas_scheduler.delivery.addresses import Target, pinned
from atlas_scheduler.delivery.retry import Permanent, Retryable

RETRIED_4XX = {408, 429}


def client(timeout_s: float, ca_file: str | None = None) -> httpx.AsyncClient:
    """The channels' client: bounded timeouts, no redirects, no proxy from the environment
    (the address check must hold for the connection actually made), and no kept-alive
    connections: the pool is keyed by address, and a TLS connection verified for one host
    name must not carry a request for another name at the same address."""
    _redact_httpx_urls()
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s),
        limits=httpx.Limits(max_keepalive_connections=0),
        verify=ssl.create_default_context(cafile=ca_file) if ca_file else True,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": "Atlas-Scheduler/1"},
    )


async def post(
    http: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    allow_private: bool,
) -> None:
    """POST ``body`` (JSON) to ``url``; return when the receiver accepted it (2xx). The next
    checked address is tried only when one cannot be connected to (nothing was sent)."""
    targets = await pinned(url, allow_private=allow_private)
    for target in targets[:-1]:
        try:
            return await _post_to(http, target, body, headers)
        except _NotConnected:
            continue
    try:
        return await _post_to(http, targets[-1], body, headers)
    except _NotConnected as exc:
        raise Retryable(f"{targets[-1].host}: {exc.kind}") from None


class _NotConnected(Exception):
    def __init__(self, kind: str) -> None:
        self.kind = kind


async def _post_to(
    http: httpx.AsyncClient, target: Target, body: bytes, headers: Mapping[str, str]
) -> None:
    sent = {**headers, "Host": target.host_header, "Content-Type": "application/json"}
    https = target.url.startswith("https:")
    extensions = {"sni_hostname": target.host} if https else {}
    request = http.build_request(
        "POST", target.url, content=body, headers=sent, extensions=extensions
    )
    try:
        # Streamed and never read: a receiver's answer body is not ours to hold in memory.
        response = await http.send(request, stream=True)
        await response.aclose()
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise _NotConnected(type(exc).__name__) from None
    except httpx.TimeoutException:
        raise Retryable(f"{target.host}: timed out") from None
    except httpx.LocalProtocolError:
        raise Permanent(f"{target.host}: request not sendable (a bad header?)") from None
    except httpx.TransportError as exc:
        raise Retryable(f"{target.host}: {type(exc).__name__}") from None
    check_status(target.host, response)


def check_status(host: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in RETRIED_4XX or status >= 500:
        raise Retryable(f"{host}: HTTP {status}", retry_after=_retry_after(response))
    if 300 <= status < 400:
        raise Permanent(f"{host}: HTTP {status} redirect not followed")
    raise Permanent(f"{host}: HTTP {status}")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


class _OriginOnly(logging.Filter):
    """httpx's request line keeps the origin only: a Slack URL's path is its secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) > 1:
            parts = urlsplit(str(record.args[1]))
            record.args = (record.args[0], f"{parts.scheme}://{parts.netloc}", *record.args[2:])
        return True


def _redact_httpx_urls() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _OriginOnly) for f in logger.filters):
        logger.addFilter(_OriginOnly())
