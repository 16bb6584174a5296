"""Sample databases made on demand, once each, and removed at the end.

``SampleDatabases.get("tpch", "mysql", declared_fks=False)`` loads that schema into a fresh
database (PostgreSQL, MariaDB) or file (DuckDB, SQLite) the first time it is asked for and
returns the same one afterwards; ``close`` drops every database it made. Names carry a run id,
so runs side by side never meet, and nothing shared is touched.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from tests.support import isolation, mariadb
from tests.support.sample_schemas import chinook, loaders, tpch
from tests.support.sample_schemas.model import Dialect, SampleSchema

SCHEMAS: dict[str, SampleSchema] = {"tpch": tpch.SCHEMA, "chinook": chinook.SCHEMA}
TEST_TPCH_SCALE = 0.01  # 86,805 rows: seconds per dialect
T = TypeVar("T")


@dataclass(frozen=True)
class SampleDatabase:
    schema: SampleSchema
    dialect: Dialect
    url: str  # what `atlas init --url` takes (files: dialect:////absolute/path)
    declared_fks: bool
    name: str  # the database's name, or the file's
    path: Path | None = None  # DuckDB and SQLite


def off_loop(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, in a thread when called from a running event loop (an async test): the
    loaders and the admin helpers use ``asyncio.run``, which a running loop refuses."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def open_source(schema: str, workdir: Path, tpch_scale: float) -> loaders.Source:
    """An in-memory DuckDB with ``src.<table>`` views over the schema's published data."""
    conn = duckdb.connect()
    conn.execute("CREATE SCHEMA src")
    if schema == "tpch":
        parquet = tpch.generate(tpch_scale, workdir / f"tpch-sf{tpch_scale:g}")
        tpch.create_source_views(conn, parquet)
    else:
        chinook.create_source_views(conn)
    return loaders.Source(conn)


class SampleDatabases:
    def __init__(
        self, workdir: Path, *, tpch_scale: float = TEST_TPCH_SCALE, run_id: str | None = None
    ) -> None:
        self.workdir = workdir
        self.tpch_scale = tpch_scale
        self.run_id = run_id or uuid.uuid4().hex[:8]
        self._sources: dict[str, loaders.Source] = {}
        self._made: dict[tuple[str, Dialect, bool], SampleDatabase] = {}
        self._made_servers: list[tuple[Dialect, str]] = []

    def source(self, schema: str) -> loaders.Source:
        if schema not in self._sources:
            self._sources[schema] = open_source(schema, self.workdir, self.tpch_scale)
        return self._sources[schema]

    def get(self, schema: str, dialect: Dialect, *, declared_fks: bool = True) -> SampleDatabase:
        key = (schema, dialect, declared_fks)
        if key not in self._made:
            self._made[key] = off_loop(self._load, schema, dialect, declared_fks)
        return self._made[key]

    def _load(self, schema: str, dialect: Dialect, declared_fks: bool) -> SampleDatabase:
        spec, source = SCHEMAS[schema], self.source(schema)
        name = f"atlas_sample_{self.run_id}_{schema}_{'fk' if declared_fks else 'nofk'}"
        if dialect in ("duckdb", "sqlite"):
            path = self.workdir / f"{name}.{dialect}"
            load = loaders.load_duckdb if dialect == "duckdb" else loaders.load_sqlite
            load(spec, source, path, declare_fks=declared_fks)
            return SampleDatabase(
                spec, dialect, f"{dialect}:///{path.resolve()}", declared_fks, path.name, path
            )
        if dialect == "postgres":
            url = isolation.create_database(name)
            self._made_servers.append(("postgres", name))
            loaders.load_postgres(spec, source, url, declare_fks=declared_fks)
        else:
            url = mariadb.create_database(name)
            self._made_servers.append(("mysql", name))
            loaders.load_mysql(spec, source, url, declare_fks=declared_fks)
        return SampleDatabase(spec, dialect, url, declared_fks, name)

    def close(self) -> None:
        off_loop(self._close)

    def _close(self) -> None:
        """Drop every server database made here; the files go with ``workdir``."""
        errors: list[BaseException] = []
        for kind, name in self._made_servers:
            try:
                if kind == "postgres":
                    isolation.drop_database(name)
                else:
                    mariadb.drop_database(name)
            except Exception as exc:
                errors.append(exc)
        for source in self._sources.values():
            source.close()
        self._sources.clear()
        if errors:
            raise errors[0]
