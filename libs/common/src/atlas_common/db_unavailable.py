"""The internal database unreachable while a request is served: 503 ``unavailable`` with
Retry-After, never a 500.

A PostgreSQL restart or crash shows up in a service as a refused connection, a connection
closed mid-query, "the database system is starting up / shutting down", or a pool acquire
that times out. None of these is the caller's fault or a bug in Atlas: the part is down, and
the caller should retry (docs/reliability.md). Installed on every internal app by
:func:`atlas_common.service.internal_app`.
"""

from __future__ import annotations

import asyncpg
from fastapi import FastAPI

from atlas_common.errors import install_unavailable_handler

RETRY_AFTER_S = 2

#: What asyncpg raises while the server is unreachable, restarting or shutting down.
DATABASE_DOWN: tuple[type[Exception], ...] = (
    ConnectionError,  # refused / reset while connecting or reading
    TimeoutError,  # connect or pool acquire past its bound
    asyncpg.PostgresConnectionError,  # closed mid-operation
    asyncpg.InterfaceError,  # a pooled connection already closed
    asyncpg.exceptions.OperatorInterventionError,  # starting up, shutting down, admin shutdown
    asyncpg.exceptions.InsufficientResourcesError,  # too many connections while it recovers
)


def install_database_down_handler(app: FastAPI) -> None:
    install_unavailable_handler(app, DATABASE_DOWN, "the internal database", RETRY_AFTER_S)
