"""Fixtures shared by every test: the run's private database, vhost and Redis prefix (one per
pytest-xdist worker), and the suite's small database pools."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.isolation import POOL_MAX, Isolation, isolation_fixture

# The public sample schemas (TPC-H, Chinook) in four dialects, loaded on first use.
pytest_plugins = ["tests.support.sample_schemas.fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    # Small pools (POOL_MAX) for the apps a test builds from the environment; the stacks'
    # processes get it from Isolation.env(), the in-process apps from isolated().
    os.environ.setdefault("ATLAS_DATABASE_POOL_MAX", str(POOL_MAX))
    # pytest-xdist's workers start with COLUMNS=80, which a Rich console made at import keeps
    # for good: the CLI tests (tests/clients/cli.py) give each call its own width instead.
    os.environ.pop("COLUMNS", None)


@pytest.fixture(scope="session")
def isolation() -> Iterator[Isolation]:
    yield from isolation_fixture()

