"""Logging and tracing set up once per process.

Every line a process writes is one JSON object on stderr (12-factor: the supervisor or the
container runtime collects and rotates the stream): Atlas's own records, uvicorn's, the
libraries', Python warnings, asyncio's "Task exception was never retrieved", and exceptions
nothing caught (main thread, other threads, "Exception ignored in"). Each line carries the
current trace id, so one question can be followed across the gateway, the bus and the worker.
Traces use OpenTelemetry; ``traceparent`` travels in AMQP headers (see :mod:`atlas_common.bus`)
and HTTP headers (:mod:`atlas_common.tracing`).

Quiet at INFO: one access line per public request (the gateway's), nothing per internal call.
httpx's line per request is DEBUG here, without its query string; httpcore's trace (which
carries response headers, cookies included) is never logged. Secrets never reach a log: nothing
here logs request bodies or headers.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from types import TracebackType
from typing import Any

import orjson
from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from atlas_common import tracing

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}
_DROPPED = {"color_message"}  # uvicorn's copy of the message with terminal colour codes
_LOGGED = "_atlas_logged"
#: Loggers whose INFO lines are DEBUG for Atlas: a line per internal call or per request.
QUIETED = ("httpx", "uvicorn.access")
#: Loggers never worth a line below WARNING (httpcore's DEBUG trace prints response headers).
SILENCED = ("aiormq", "aio_pika", "httpcore", "hpack")
uncaught = logging.getLogger("atlas.uncaught")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts (UTC, ms), level, service, logger, msg, trace_id,
    the record's ``extra`` fields, and ``exc`` (the traceback) when there is one."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": _utc(record),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            body["trace_id"] = format(span.trace_id, "032x")
        body.update(
            (k, v) for k, v in record.__dict__.items() if k not in _RESERVED and k not in _DROPPED
        )
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        if record.exc_text:
            body["exc"] = record.exc_text
        if record.stack_info:
            body["stack"] = record.stack_info
        return orjson.dumps(body, default=str).decode()


def _utc(record: logging.LogRecord) -> str:
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return f"{seconds}.{int(record.msecs):03d}Z"


class _Quieted(logging.Filter):
    """A library's INFO record becomes DEBUG (kept only when the process logs DEBUG); an
    httpx URL loses its query string, which may carry a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) > 1 and record.name == "httpx":
            url = str(record.args[1]).split("?", 1)[0]
            record.args = (record.args[0], url, *record.args[2:])
        if record.levelno != logging.INFO:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger().isEnabledFor(logging.DEBUG)


def mark_logged(exc: BaseException) -> None:
    """Say that ``exc`` was logged with its traceback: the server's own report of the same
    exception (uvicorn's "Exception in ASGI application") is then dropped as a duplicate."""
    with contextlib.suppress(AttributeError):  # a type with __slots__: logged twice, not lost
        setattr(exc, _LOGGED, True)


class _NotTwice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not getattr(exc, _LOGGED, False)


def setup_logging(service: str, level: str = "INFO", *, json: bool = True) -> None:
    """Route every record of the process (libraries and uvicorn included) to one stderr
    handler; ``json=False`` (``ATLAS_LOG_JSON=false``) prints plain lines for a terminal."""
    handler = logging.StreamHandler(sys.stderr)
    if json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        logging.getLogger(name).handlers[:] = []  # a dictConfig elsewhere must not print twice
        logging.getLogger(name).propagate = True
    for name in SILENCED:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in QUIETED:
        _add_once(logging.getLogger(name), _Quieted())
    _add_once(logging.getLogger("uvicorn.error"), _NotTwice())
    logging.captureWarnings(True)
    _log_uncaught()


def _add_once(logger: logging.Logger, flt: logging.Filter) -> None:
    if not any(type(f) is type(flt) for f in logger.filters):
        logger.addFilter(flt)


def _log_uncaught() -> None:
    """Exceptions nothing caught become one record each instead of a bare traceback."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    sys.unraisablehook = _unraisablehook


def _excepthook(kind: type[BaseException], value: BaseException,
                tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    uncaught.critical("uncaught exception", exc_info=(kind, value, tb))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else None
    uncaught.error("uncaught exception in a thread", extra={"thread_name": name},
                   exc_info=args.exc_value)


def _unraisablehook(unraisable: Any) -> None:
    value = unraisable.exc_value
    exc_info = (unraisable.exc_type, value, unraisable.exc_traceback) if value else None
    uncaught.warning(unraisable.err_msg or "Exception ignored", exc_info=exc_info,
                     extra={"object": repr(unraisable.object)[:200]})


def setup_tracing(service: str, exporter: str = "none", *, db_query_text: bool = False) -> None:
    """Install a tracer provider; spans are exported only when an exporter is chosen.

    Without an exporter (``none``) nothing is sampled: a span is then a non-recording one that
    still has a valid trace and span id, so log lines keep their ``trace_id`` and
    ``traceparent`` still travels between processes, without recording attributes and events
    only to drop them (13 % of the gateway's CPU, issue 23). ``otlp`` sends OTLP/HTTP
    (protobuf) to ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``..._TRACES_ENDPOINT``); the exporter
    and the batch processor read the other standard ``OTEL_*`` variables (headers, timeout,
    compression, ``OTEL_BSP_*``) themselves, and ``OTEL_RESOURCE_ATTRIBUTES`` adds to the
    resource."""
    resource = Resource.create({"service.name": service})
    tracing.configure(enabled=exporter != "none", db_query_text=db_query_text)
    if exporter == "none":
        trace.set_tracer_provider(TracerProvider(resource=resource, sampler=ALWAYS_OFF))
        return
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(tracing.Redactor())  # first: before any exporter sees a span
    provider.add_span_processor(BatchSpanProcessor(_exporter(exporter)))
    trace.set_tracer_provider(provider)


def _exporter(name: str) -> SpanExporter:
    if name == "otlp":
        # Imported here: a process without an exporter does not load protobuf and requests.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    return ConsoleSpanExporter()


def fastapi_telemetry(exporter: str) -> TelemetryConfig:
    """``FastAPI(telemetry=...)``: FastAPI's own spans (a server span per request, and one per
    dependency, endpoint and serialization) only when spans are exported; without an exporter
    :class:`~atlas_common.access_log.AccessLogMiddleware` opens the one server span a request
    needs for its trace id."""
    return TelemetryConfig(tracing=exporter != "none")
