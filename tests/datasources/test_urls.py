"""Datasource URLs: every accepted form, the redacted display, one-line refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from atlas_datasources import DatasourceError, parse_url

SECRET = "s3cr3t-pw"


@pytest.mark.parametrize(
    ("url", "dialect", "database", "display"),
    [
        (f"postgresql://ann:{SECRET}@db.example:6543/shop", "postgres", "shop",
         "postgresql://ann@db.example:6543/shop"),
        (f"postgres://ann:{SECRET}@db.example/shop?sslmode=require", "postgres", "shop",
         "postgres://ann@db.example:5432/shop"),
        (f"mysql://root:{SECRET}@127.0.0.1/shop", "mysql", "shop", "mysql://root@127.0.0.1:3306/shop"),
        ("mariadb://root@127.0.0.1:3307/shop", "mysql", "shop", "mariadb://root@127.0.0.1:3307/shop"),
        ("sqlite:///data/shop.db", "sqlite", "shop.db", "sqlite:///data/shop.db"),
        ("sqlite:////abs/shop.db", "sqlite", "shop.db", "sqlite:////abs/shop.db"),
        ("duckdb:///data/x.duckdb", "duckdb", "x.duckdb", "duckdb:///data/x.duckdb"),
        ("/abs/warehouse.duckdb", "duckdb", "warehouse.duckdb", "duckdb:////abs/warehouse.duckdb"),
        ("local.sqlite3", "sqlite", "local.sqlite3", "sqlite:///local.sqlite3"),
    ],
)  # fmt: skip
def test_forms(url: str, dialect: str, database: str, display: str) -> None:
    parsed = parse_url(url)
    assert (parsed.dialect, parsed.database, parsed.display) == (dialect, database, display)
    assert SECRET not in repr(parsed) and SECRET not in str(parsed)


def test_server_parameters_are_decoded() -> None:
    parsed = parse_url("postgresql://a%40b:p%2Fw%3A@h:1/d%20b?sslmode=disable")
    assert (parsed.user, parsed.password, parsed.database) == ("a@b", "p/w:", "d b")
    assert parsed.options == {"sslmode": "disable"}
    assert parse_url("sqlite:////abs/shop.db").path == Path("/abs/shop.db")
    assert parse_url("sqlite:///rel/shop.db").path == Path("rel/shop.db")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "empty"),
        (f"oracle://u:{SECRET}@h/db", "unsupported datasource scheme 'oracle'"),
        (f"postgresql://u:{SECRET}@h:port/db", "port"),
        (f"postgresql://u:{SECRET}@h", "names no database"),
        (f"mysql://u:{SECRET}@h/db?ssl_ca=/x", "unknown mysql URL parameter 'ssl_ca'"),
        ("sqlite://relative.db", "sqlite:///relative/path"),
        ("notes.txt", "a datasource is a URL"),
    ],
)
def test_bad_urls_are_one_line_without_the_password(url: str, says: str) -> None:
    with pytest.raises(DatasourceError) as caught:
        parse_url(url)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message and SECRET not in message
    assert caught.value.kind == "bad_url"
