"""Auth benchmark: the same cheap authenticated endpoint (``GET /api/v1/me``) under each mode.

Run: ``make bench`` (or ``uv run python bench/auth.py``). For each of none, simple-key, managed
(a session token) and byot (an RS256 JWT against a local JWKS), it starts auth + gateway on a
vhost, database and Redis prefix of its own and measures, with warm caches: latency at
concurrency 1 (p50/p99) and throughput at concurrency 16, as ratios to none in the same run.
Then the first-sight cost of a JWT (a new token per request: a cache miss, verified by the auth
service against the cached JWKS).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.auth.support import AUDIENCE, ISSUER, JwksServer, claims, rsa_key, sign
from tests.support.isolation import Isolation
from tests.support.stack import Stack

N = int(os.environ.get("BENCH_REQUESTS", "1000"))
SECRET = "b" * 40


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def latencies(url: str, headers_for: Any, n: int) -> list[float]:
    out = []
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(n):
            t = time.perf_counter()
            r = await client.get(url + "/api/v1/me", headers=headers_for(i))
            r.raise_for_status()
            out.append((time.perf_counter() - t) * 1000)
    return out


async def throughput(url: str, headers: dict[str, str], n: int, concurrency: int = 16) -> float:
    remaining = iter(range(n))
    async with httpx.AsyncClient(timeout=30) as client:

        async def worker() -> None:
            for _ in remaining:
                (await client.get(url + "/api/v1/me", headers=headers)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return n / (time.perf_counter() - started)


def start(mode: str, auth_env: dict[str, str]) -> tuple[Stack, Isolation, str]:
    iso = Isolation().create()
    directory = Path(f"/tmp/atlas-bench-auth-{mode}")
    directory.mkdir(parents=True, exist_ok=True)
    stack = Stack({**iso.env(), "ATLAS_LOG_LEVEL": "WARNING"}, directory)
    try:
        stack.start_auth(auth_env)
        return stack, iso, stack.start_gateway()
    except BaseException:
        stack.stop_all()
        iso.remove()
        raise


def credentials(mode: str, url: str, jwks: JwksServer, key: Any) -> dict[str, str]:
    if mode == "simple-key":
        return {"authorization": "Bearer sk-bench-0123456789abcdef"}
    if mode == "managed":
        r = httpx.post(
            url + "/api/auth/sign-up/email",
            json={"email": "bench@example.com", "password": "a long enough password", "name": "B"},
        )
        r.raise_for_status()
        return {"authorization": f"Bearer {r.json()['token']}"}
    if mode == "byot":
        return {"authorization": f"Bearer {sign(key, claims(exp=int(time.time()) + 3600))}"}
    return {}


async def main() -> None:
    key = rsa_key("bench-1")
    jwks = JwksServer(keys=[key.jwk]).start()
    modes: dict[str, dict[str, str]] = {
        "none": {"ATLAS_AUTH_MODE": "none"},
        "simple-key": {
            "ATLAS_AUTH_MODE": "simple-key",
            "ATLAS_API_KEY": "sk-bench-0123456789abcdef",
        },
        "managed": {"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": SECRET},
        "byot": {
            "ATLAS_AUTH_MODE": "byot",
            "ATLAS_AUTH_JWKS_URL": jwks.url + "/jwks.json",
            "ATLAS_AUTH_ISSUER": ISSUER,
            "ATLAS_AUTH_AUDIENCE": AUDIENCE,
        },
    }
    results: dict[str, tuple[list[float], float]] = {}
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, N={N}")
    for mode, env in modes.items():
        stack, iso, url = await asyncio.to_thread(start, mode, env)
        try:
            headers = credentials(mode, url, jwks, key)
            await latencies(url, lambda _, h=headers: h, 50)  # warm the cache
            lat = await latencies(url, lambda _, h=headers: h, N)
            results[mode] = (lat, await throughput(url, headers, N))
            if mode == "byot":
                tokens = [
                    sign(key, claims(sub=f"u{i}", exp=int(time.time()) + 3600)) for i in range(200)
                ]
                first = await latencies(
                    url, lambda i, t=tokens: {"authorization": f"Bearer {t[i]}"}, 200
                )
                print(
                    f"byot first-sight JWT (cache miss, auth service verifies): "
                    f"p50={statistics.median(first):.2f} ms p99={pct(first, 99):.2f} ms"
                )
        finally:
            await asyncio.to_thread(stack.stop_all)
            await asyncio.to_thread(iso.remove)
    base_lat, base_rps = results["none"]
    for mode, (lat, rps) in results.items():
        print(
            f"{mode:<11} c=1 p50={pct(lat, 50):6.2f} ms p99={pct(lat, 99):6.2f} ms "
            f"(added p99 {pct(lat, 99) - pct(base_lat, 99):+6.2f} ms)  c=16 {rps:7.1f} req/s "
            f"(ratio to none {rps / base_rps:4.2f})"
        )
    jwks.stop()


if __name__ == "__main__":
    asyncio.run(main())
