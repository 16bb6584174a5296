"""One shop database per dialect for the whole session, and its profile, made once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from atlas_datasources import profile_database
from atlas_datasources.model import DatabaseProfile

from tests.datasources import servers, shop

DIALECTS = ("postgres", "mysql", "sqlite", "duckdb")
# Bounds set low so that ``events`` (shop.BIG_ROWS rows) takes the sampled path.
EXACT_ROW_LIMIT = 5_000
SAMPLE_ROWS = 2_000


@pytest.fixture(scope="session")
def shop_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("datasources")
    pg_name, mysql_name = servers.run_name(), servers.run_name()
    urls: dict[str, str] = {}
    try:
        urls["postgres"] = servers.create_postgres(pg_name)
        urls["mysql"] = servers.create_mysql(mysql_name)
        urls["sqlite"] = servers.create_sqlite(folder / "shop.sqlite")
        urls["duckdb"] = servers.create_duckdb(folder / "shop.duckdb")
        yield urls
    finally:
        servers.drop_postgres(pg_name)
        servers.drop_mysql(mysql_name)


@pytest.fixture(scope="session", params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


_PROFILES: dict[str, DatabaseProfile] = {}


@pytest.fixture
async def shop_profile(shop_urls: dict[str, str], dialect: str) -> DatabaseProfile:
    """The shop's profile (tables, the view, PostgreSQL's materialized view), once per dialect."""
    if dialect not in _PROFILES:
        wanted = [*shop.TABLE_NAMES, *shop.VIEWS, "order_totals"]
        _PROFILES[dialect] = await profile_database(
            shop_urls[dialect],
            tables=wanted,
            exact_row_limit=EXACT_ROW_LIMIT,
            sample_rows=SAMPLE_ROWS,
        )
    return _PROFILES[dialect]
