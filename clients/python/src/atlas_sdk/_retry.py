"""Which failures are worth another try, and how long to wait before it.

A request is tried again only when trying cannot do the work twice:

- the connection could not be made (nothing was sent), for any request;
- Atlas refused before doing anything: ``rate_limited`` (429), ``unavailable`` (503, e.g. no
  worker yet) or ``overloaded`` (503, load shed), waiting ``Retry-After`` when it says so;
- for reads (GET), also a dropped connection, a read timeout, 502 and 504.

A question that was sent and then lost is never asked again: its stream is resumed instead
(:mod:`atlas_sdk._streaming`). ``plan_limit_exceeded`` is not retried: the limit resets on the
plan's schedule, not in seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from atlas_sdk._errors import APIConnectionError, APIError, APITimeoutError

DEFAULT_MAX_RETRIES = 2

_REFUSED_BEFORE_WORK = frozenset({"rate_limited", "unavailable", "overloaded"})
_IDEMPOTENT_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter.

    ``max_retry_after``: a server that asks to wait longer than this is not waited for; the
    error is raised at once with its ``retry_after``, for the caller to decide.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0

    def delay(self, retry: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number ``retry`` (1-based); None: do not retry."""
        if retry > self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        backoff = min(self.max_delay, self.initial_delay * 2.0 ** (retry - 1))
        return backoff * (1 - 0.25 * random.random())  # jitter: not for security

    def error_delay(self, retry: int, error: Exception, *, idempotent: bool) -> float | None:
        """The wait before retrying after ``error``; None when it is not retryable."""
        if isinstance(error, APIError):
            if not _status_retryable(error, idempotent):
                return None
            return self.delay(retry, error.retry_after)
        if isinstance(error, httpx.TransportError) and _transport_retryable(error, idempotent):
            return self.delay(retry)
        return None


def _status_retryable(error: APIError, idempotent: bool) -> bool:
    if error.code in _REFUSED_BEFORE_WORK:
        return True
    return idempotent and error.status_code in _IDEMPOTENT_STATUSES


def _transport_retryable(error: httpx.TransportError, idempotent: bool) -> bool:
    not_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    return not_sent or idempotent


def connection_error(error: httpx.TransportError, url: str) -> APIConnectionError:
    """An httpx transport failure -> the SDK's error, with a message a person can act on."""
    detail = str(error) or type(error).__name__
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"Atlas at {url} did not answer in time ({detail})", url=url)
    if isinstance(error, httpx.ConnectError):
        return APIConnectionError(f"Cannot connect to Atlas at {url}: {detail}", url=url)
    return APIConnectionError(f"The connection to Atlas at {url} failed: {detail}", url=url)
