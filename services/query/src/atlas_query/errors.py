"""Errors of the query service, on the Atlas envelope (see ``atlas_common.errors``).

Exceptions::

    AtlasError (atlas_common)
    ├── QueryTimeout          504 timeout          the database stopped the query at the limit
    ├── GuardRefused          400 invalid_request  the SQL guard refused what an answerer wrote
    ├── QueryFailed           400 invalid_request  the database refused or failed the query
    └── DatasourceUnavailable 503 no_datasource    no datasource configured or reachable
"""

from __future__ import annotations

from atlas_common.errors import AtlasError, ErrorCode


class QueryTimeout(AtlasError):
    status_code = 504
    code = "timeout"

    def __init__(self, timeout_ms: int) -> None:
        super().__init__(f"The query was stopped after {timeout_ms} ms (ATLAS_QUERY_TIMEOUT)")
        self.timeout_ms = timeout_ms


class GuardRefused(AtlasError):
    status_code = 400
    code: ErrorCode = "invalid_request"


class QueryFailed(AtlasError):
    status_code = 400
    code: ErrorCode = "invalid_request"


class DatasourceUnavailable(AtlasError):
    status_code = 503
    code = "no_datasource"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"Retry-After": "5"})
