"""Confirmed publishes under a burst: N question jobs published at once by one gateway's Bus.

Issue 27 asks that 2,000 concurrent publishes all confirm well inside their timeout (5 s). This
publishes N ``query.requested`` jobs concurrently through :class:`atlas_common.bus.Bus` (the
gateway's client: one publisher-confirm channel, pipelined confirms) on a private vhost of the
local RabbitMQ, and prints per N: confirmed, failed, the time to confirm p50 / p99 / max, and
the whole burst's wall time. The vhost is deleted afterwards.

    .venv/bin/python bench/publish_burst.py                 # N = 500, 1000, 2000
    .venv/bin/python bench/publish_burst.py --n 2000 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

from atlas_common.bus import BrokerUnavailable, Bus
from atlas_common.messages import QueryRequested
from atlas_common.principal import Principal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.isolation import create_vhost, delete_vhost

PUBLISH_TIMEOUT_S = 5.0


def job() -> QueryRequested:
    return QueryRequested(request_id=uuid.uuid4().hex, question="How many users?",
                          principal=Principal(user_id="u", role="analyst"),
                          deadline=time.time() + 120)


async def timed_publish(bus: Bus) -> float | None:
    started = time.perf_counter()
    try:
        await bus.publish(job(), expiration=120, timeout=PUBLISH_TIMEOUT_S)
    except BrokerUnavailable:
        return None
    return time.perf_counter() - started


async def burst(bus: Bus, n: int) -> None:
    started = time.perf_counter()
    results = await asyncio.gather(*(timed_publish(bus) for _ in range(n)))
    wall = time.perf_counter() - started
    times = sorted(r * 1000 for r in results if r is not None)
    failed = n - len(times)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] if times else float("nan")
    print(f"N={n:5d}  confirmed {len(times):5d}  failed {failed:4d}  "
          f"p50 {statistics.median(times) if times else float('nan'):7.1f} ms  "
          f"p99 {p99:7.1f} ms  max {times[-1] if times else float('nan'):7.1f} ms  "
          f"wall {wall * 1000:7.1f} ms")


async def main(sizes: list[int], rounds: int) -> None:
    vhost = f"bench_publish_{uuid.uuid4().hex[:8]}"
    url = create_vhost(vhost)
    try:
        # Unbounded queue (0): the bench measures confirms, not the queue's bound.
        bus = await Bus.connect(url, delivery_limit=3, query_max_length=0)
        try:
            await burst(bus, 50)  # warm up: channel, exchange lookup, queue process
            for n in sizes:
                for _ in range(rounds):
                    await burst(bus, n)
        finally:
            await bus.close()
    finally:
        delete_vhost(vhost)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="*", default=[500, 1000, 2000])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.rounds))
