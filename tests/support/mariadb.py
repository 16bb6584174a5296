"""Test databases on the shared MariaDB server: created for a run, dropped afterwards.

The one place tests make and remove MariaDB databases (the datasource shop, the sample
schemas, the query tests' shop); the server is ``ATLAS_TEST_MYSQL_URL`` (default root on
127.0.0.1:3306), as PostgreSQL's is ``DATABASE_URL`` in ``tests.support.isolation``.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit

import pymysql

BASE_MYSQL_URL = os.environ.get("ATLAS_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306")


def connect(url: str = BASE_MYSQL_URL, database: str | None = None) -> pymysql.Connection:
    """A pymysql connection from a ``mysql://user:pass@host:port[/db]`` URL."""
    parts = urlsplit(url)
    return pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        database=database or (unquote(parts.path.lstrip("/")) or None),
        charset="utf8mb4",
        autocommit=True,
        connect_timeout=10,
    )


def database_url(name: str, server_url: str = BASE_MYSQL_URL) -> str:
    return f"{server_url.rstrip('/')}/{name}"


def _admin(statement: str, server_url: str) -> None:
    conn = connect(server_url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def create_database(name: str, server_url: str = BASE_MYSQL_URL) -> str:
    """An empty utf8mb4 database ``name``; its URL."""
    _admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4", server_url)
    return database_url(name, server_url)


def drop_database(name: str, server_url: str = BASE_MYSQL_URL) -> None:
    _admin(f"DROP DATABASE IF EXISTS `{name}`", server_url)
