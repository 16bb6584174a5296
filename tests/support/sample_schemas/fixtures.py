"""Pytest fixtures for the sample schemas (a plugin: the root conftest lists it in pytest_plugins).

``sample_databases`` is the session's loader; ``sample_database`` / ``sample_database_nofk`` are
parametrized over every (schema, dialect): a test taking one runs eight times. Each database is
loaded on first use only, once per session, and dropped when the session ends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sample_schemas.databases import SCHEMAS, SampleDatabase, SampleDatabases
from tests.support.sample_schemas.model import DIALECTS

SAMPLE_PARAMS = [(schema, dialect) for schema in SCHEMAS for dialect in DIALECTS]
SAMPLE_IDS = [f"{schema}-{dialect}" for schema, dialect in SAMPLE_PARAMS]


@pytest.fixture(scope="session")
def sample_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleDatabases]:
    databases = SampleDatabases(tmp_path_factory.mktemp("sample_schemas"))
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(scope="session", params=SAMPLE_PARAMS, ids=SAMPLE_IDS)
def sample_database(
    request: pytest.FixtureRequest, sample_databases: SampleDatabases
) -> SampleDatabase:
    """A sample schema with the foreign keys its original declares."""
    schema, dialect = request.param
    return sample_databases.get(schema, dialect, declared_fks=True)


@pytest.fixture(scope="session", params=SAMPLE_PARAMS, ids=SAMPLE_IDS)
def sample_database_nofk(
    request: pytest.FixtureRequest, sample_databases: SampleDatabases
) -> SampleDatabase:
    """The same schema and rows, primary keys kept, no foreign key declared."""
    schema, dialect = request.param
    return sample_databases.get(schema, dialect, declared_fks=False)
