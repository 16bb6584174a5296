"""The workers check of /api/health and the count of workers that can take a job."""

from __future__ import annotations

from atlas_common.workers import WorkerCensus
from atlas_gateway.presence import WorkerStatus


def test_a_stale_worker_is_not_available_and_is_named() -> None:
    status = WorkerStatus(2, WorkerCensus(fresh=["host-1"], stale={"host-2": 21.5}))
    assert status.available == 1
    report = status.report()
    assert report["status"] == "degraded" and report["consumers"] == 2
    assert report["stale"] == [{"id": "host-2", "silentS": 21.5}]
    assert "host-2 silent 21.5 s" in report["message"]


def test_only_stale_workers_means_none_available() -> None:
    status = WorkerStatus(1, WorkerCensus(fresh=[], stale={"host-1": 40.0}))
    assert status.available == 0 and status.report()["status"] == "down"


def test_a_worker_must_consume_and_beat() -> None:
    assert WorkerStatus(0, WorkerCensus(fresh=["host-1"])).available == 0
    assert WorkerStatus(3, WorkerCensus(fresh=["a", "b"])).available == 2
    assert WorkerStatus(2, WorkerCensus(fresh=["a", "b"])).report()["status"] == "ok"


def test_without_a_registry_the_consumers_decide() -> None:
    # Redis unreadable, or workers older than the registry (a rolling upgrade).
    assert WorkerStatus(2, None).available == 2
    assert WorkerStatus(2, WorkerCensus()).available == 2
    assert WorkerStatus(2, None).report() == {"consumers": 2, "available": 2, "status": "ok"}
