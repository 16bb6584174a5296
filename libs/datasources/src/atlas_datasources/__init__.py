"""Atlas datasources: what a database holds, read read-only and within bounds."""

from atlas_datasources.connections import Connection, Result, connect
from atlas_datasources.errors import DatasourceError
from atlas_datasources.profiler import profile_database
from atlas_datasources.progress import ProgressEvent
from atlas_datasources.urls import DatasourceUrl, parse_url

__all__ = [
    "Connection",
    "DatasourceError",
    "DatasourceUrl",
    "ProgressEvent",
    "Result",
    "connect",
    "parse_url",
    "profile_database",
]
