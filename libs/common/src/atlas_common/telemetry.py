"""Logging and tracing set up once per process.

Logs are JSON lines carrying the current trace id, so one question can be followed across the
gateway, the bus and the worker. Traces use OpenTelemetry; ``traceparent`` travels in AMQP
headers (see :mod:`atlas_common.bus`). Secrets never reach a log: nothing here logs request
bodies or headers.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        span = trace.get_current_span().get_span_context()
        body: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if span.is_valid:
            body["trace_id"] = format(span.trace_id, "032x")
        body.update({k: v for k, v in record.__dict__.items() if k not in _RESERVED})
        if record.exc_info:
            body["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(body, default=str).decode()


def setup_logging(service: str, level: str = "INFO", *, json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def setup_tracing(service: str, exporter: str = "none") -> None:
    """Install a tracer provider; spans are exported only when an exporter is chosen."""
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    trace.set_tracer_provider(provider)
