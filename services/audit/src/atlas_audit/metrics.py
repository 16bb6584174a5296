"""The audit service's own Prometheus metrics (served on its /metrics with the common ones)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS_WRITTEN = Counter("atlas_audit_events_written_total",
                         "Audit events written (a redelivered event counts once).")
EVENTS_DROPPED = Counter("atlas_audit_events_dropped_total",
                         "Messages on the audit queue not recorded, by reason.", ["reason"])
BATCH_SECONDS = Histogram("atlas_audit_batch_seconds", "Time to write one batch of events.",
                          buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5))
WRITE_FAILURES = Counter("atlas_audit_write_failures_total",
                         "Batches PostgreSQL refused or did not answer (retried).")
