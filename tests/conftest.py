"""Fixtures shared by every test: the run's private database, vhost and Redis prefix."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.isolation import Isolation

# The public sample schemas (TPC-H, Chinook) in four dialects, loaded on first use.
pytest_plugins = ["tests.support.sample_schemas.fixtures"]


@pytest.fixture(scope="session")
def isolation() -> Iterator[Isolation]:
    iso = Isolation().create()
    try:
        yield iso
    finally:
        iso.remove()
