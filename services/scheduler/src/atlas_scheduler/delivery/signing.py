"""The webhook signature: ``X-Atlas-Signature: t=<unix seconds>,v1=<hex>`` (Stripe's scheme).

``v1`` is HMAC-SHA256 with the shared secret over ``"<t>.<raw body>"``. A receiver recomputes
it over the bytes it received, compares in constant time, refuses a ``t`` outside its tolerance
(a replay of an old capture) and remembers ``X-Atlas-Delivery-Id`` (a replay inside the window;
retries of one delivery keep that id). docs/scheduled-reports.md has the recipe.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Atlas-Signature"
DELIVERY_ID_HEADER = "X-Atlas-Delivery-Id"
DEFAULT_TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, t, body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its time is within tolerance."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - t) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, t, body), parts.get("v1", ""))
