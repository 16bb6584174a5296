"""Public sample schemas (TPC-H, Chinook) in PostgreSQL, MariaDB, DuckDB and SQLite, with the
hand-checked truth about them: declared and inferable foreign keys, questions and their SQL.

Tests take the session fixture ``sample_databases`` (``fixtures.py``, a pytest plugin that the
root conftest registers) and call ``get(schema, dialect, declared_fks=...)``; each database is
loaded once per session, on first use. ``answers.expected_answer`` runs a question's SQL.
"""

from tests.support.sample_schemas.databases import (
    SCHEMAS,
    SampleDatabase,
    SampleDatabases,
)
from tests.support.sample_schemas.model import DIALECTS, FK, Dialect, Question, SampleSchema

__all__ = [
    "DIALECTS",
    "FK",
    "SCHEMAS",
    "Dialect",
    "Question",
    "SampleDatabase",
    "SampleDatabases",
    "SampleSchema",
]
