"""``profile_database``: what a database holds, read read-only and within bounds.

One connection (read-only session, statement timeout), the catalogs once, then each table in
turn (``table_profile``), then foreign keys inferred across tables (``inference``). Progress
goes to ``on_progress``; a table that cannot be profiled fully ends as a warning on the
profile. Only a datasource that cannot be reached (or refuses the login) raises
``DatasourceError``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from atlas_datasources.connections import Connection, connect
from atlas_datasources.inference import infer_foreign_keys
from atlas_datasources.introspect import TableInfo, introspect
from atlas_datasources.model import DatabaseProfile, ForeignKey, TableProfile
from atlas_datasources.progress import ProgressEvent
from atlas_datasources.table_profile import ProfileOptions, profile_table
from atlas_datasources.urls import DatasourceUrl, as_url

Progress = Callable[[ProgressEvent], None]


async def profile_database(
    url: str | DatasourceUrl,
    *,
    schema: str | None = None,
    tables: Sequence[str] | None = None,
    statement_timeout_s: float = 10,
    exact_row_limit: int = 100_000,
    sample_rows: int = 50_000,
    low_cardinality: int = 25,
    overlap_rows: int = 10_000,
    on_progress: Progress | None = None,
) -> DatabaseProfile:
    """The profile of ``schema`` (the connection's default when None), ``tables`` only when
    given. ``exact_row_limit``: tables estimated below it are read whole; ``sample_rows``
    bounds what is read of bigger ones; ``low_cardinality``: columns with at most that many
    distinct values list them; ``overlap_rows``: values checked per inferred foreign key."""
    parsed = as_url(url)
    emit = on_progress or (lambda _: None)
    options = ProfileOptions(exact_row_limit, sample_rows, low_cardinality)
    async with await connect(parsed, statement_timeout_s=statement_timeout_s) as conn:
        catalog = await introspect(conn, schema=schema, tables=tables)
        warnings = _missing(tables, catalog.tables, catalog.schema)
        names = _Names(conn)
        emit(ProgressEvent("introspected", total=len(catalog.tables)))
        profiles = []
        for index, info in enumerate(catalog.tables, 1):
            profiles.append(
                await _table(conn, info, options, names, index, len(catalog.tables), emit, warnings)
            )
        emit(ProgressEvent("inferring_keys", total=len(profiles)))
        profiles = await infer_foreign_keys(
            conn,
            profiles,
            qualified=names.sql,
            layer_name=names.layer,
            overlap_rows=overlap_rows,
            warnings=warnings,
        )
    emit(ProgressEvent("finished", total=len(profiles)))
    return DatabaseProfile(
        dialect=parsed.dialect,
        database=parsed.database,
        default_schema=conn.default_schema,
        tables=profiles,
        warnings=warnings,
    )


async def _table(
    conn: Connection,
    info: TableInfo,
    options: ProfileOptions,
    names: _Names,
    index: int,
    total: int,
    emit: Progress,
    warnings: list[str],
) -> TableProfile:
    shown = names.name(info.schema, info.name)
    emit(ProgressEvent("table_started", table=shown, index=index, total=total))
    started = time.monotonic()
    profile, table_warnings = await profile_table(conn, info, options, shown)
    keys = [
        ForeignKey(
            columns=list(k.columns),
            ref_table=names.name(k.ref_schema, k.ref_table),
            ref_columns=list(k.ref_columns),
        )
        for k in info.foreign_keys
    ]
    profile = profile.model_copy(
        update={"schema_name": names.schema(info.schema), "foreign_keys": keys}
    )
    names.remember(profile, info.schema)
    warnings.extend(table_warnings)
    emit(
        ProgressEvent(
            "table_finished",
            table=shown,
            index=index,
            total=total,
            row_count=profile.row_count,
            row_count_estimated=profile.row_count_estimated,
            columns=len(profile.columns),
            sampled=profile.sampled,
            elapsed_s=round(time.monotonic() - started, 3),
            warning=table_warnings[0] if table_warnings else None,
        )
    )
    return profile


class _Names:
    """How tables are named: in SQL (quoted, qualified) and in the layer (qualified only
    outside the default schema; MySQL's own database is no schema in the layer)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._schemas: dict[int, str | None] = {}

    def schema(self, schema: str | None) -> str | None:
        if self._conn.dialect == "mysql" and schema == self._conn.database:
            return None
        return schema

    def name(self, schema: str | None, table: str) -> str:
        shown = self.schema(schema)
        return f"{shown}.{table}" if shown and shown != self._conn.default_schema else table

    def remember(self, profile: TableProfile, schema: str | None) -> None:
        self._schemas[id(profile)] = schema

    def sql(self, profile: TableProfile) -> str:
        return self._conn.qualified(
            self._schemas.get(id(profile), profile.schema_name), profile.name
        )

    def layer(self, profile: TableProfile) -> str:
        return self.name(self._schemas.get(id(profile), profile.schema_name), profile.name)


def _missing(
    wanted: Sequence[str] | None, found: Sequence[TableInfo], schema: str | None
) -> list[str]:
    have = {t.name.lower() for t in found}
    where = f" in schema {schema}" if schema else ""
    return [f"table {name!r} not found{where}" for name in wanted or () if name.lower() not in have]
