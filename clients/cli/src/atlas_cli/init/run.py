"""One ``atlas init`` run, free of the terminal: source -> profile -> layer -> diff -> plan.

Errors a person can fix (no URL, a database that refuses, an unreadable layer file) raise
:class:`InitError` with one line; the command prints it and exits with code 2.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from atlas_datasources.errors import DatasourceError
from atlas_datasources.model import DatabaseProfile
from atlas_datasources.profiler import Progress, profile_database
from atlas_datasources.urls import DatasourceUrl, parse_url

from atlas_cli.init import diff, state
from atlas_cli.init.generate import generate
from atlas_cli.init.model import Layer
from atlas_cli.init.plan import Plan, Run
from atlas_cli.init.schema import Schema
from atlas_cli.init.settings import InitSettings
from atlas_cli.init.writer import write_text
from atlas_cli.init.yamlio import LayerFileError

#: The demo's bookkeeping table (when it was generated): not something to ask about.
DEMO_META_TABLE = "atlas_demo_meta"


class InitError(Exception):
    """One line for the person running ``atlas init``."""


@dataclass
class Options:
    url: str | None = None
    output: Path = Path("semantic")
    schema: str | None = None
    tables: list[str] = field(default_factory=list)
    force: bool = False
    dry_run: bool = False
    demo: bool = False


@dataclass
class Outcome:
    source: DatasourceUrl
    profile: DatabaseProfile
    layer: Layer
    changes: diff.Changes
    plan: Plan
    seconds: float


def resolve_source(options: Options, settings: InitSettings) -> DatasourceUrl:
    if options.demo and options.url:
        raise InitError("--demo profiles the demo database: leave out --url")
    if options.demo:
        path = settings.demo_db_path
        if not path.is_file():
            raise InitError(
                f"the demo database {path} does not exist yet: start Atlas once "
                "(`make up`: its query worker generates it) or set ATLAS_DEMO_DB_PATH"
            )
        return parse_url(f"duckdb:///{path}")
    url = options.url or (
        settings.datasource_url.get_secret_value() if settings.datasource_url else None
    )
    if not url:
        raise InitError("no database: pass --url URL, set ATLAS_DATASOURCE_URL, or use --demo")
    return parse_url(url)


def profile(
    source: DatasourceUrl, options: Options, settings: InitSettings, on_progress: Progress
) -> DatabaseProfile:
    found = asyncio.run(
        profile_database(
            source,
            schema=options.schema,
            tables=options.tables or None,
            statement_timeout_s=settings.statement_timeout_s,
            on_progress=on_progress,
        )
    )
    if options.demo:
        kept = [t for t in found.tables if t.name != DEMO_META_TABLE]
        found = found.model_copy(update={"tables": kept})
    return found


def prepare(
    options: Options, profiled: DatabaseProfile, layer: Layer, source: DatasourceUrl, started: float
) -> Outcome:
    """Compare with the layer on disk and decide what to write."""
    disk = state.read(options.output, profiled.default_schema)
    now = state.profile_state(profiled)
    scope = diff.Scope(options.schema, frozenset(options.tables))
    changes = diff.compare(disk, now, scope)
    # Entity -> table, for the layer on disk too: a join to a dropped table must be found.
    entity_tables = {str(data.get("name")): key for key, (_, data) in disk.entities.items()}
    entity_tables.update({v: k for k, v in Schema(profiled).entity.items()})
    run = Run(
        root=options.output,
        layer=layer,
        disk=disk,
        changes=changes,
        source=f"the {profiled.dialect} database {profiled.database}",
        force=options.force,
        today=date.today(),
        entity_tables=entity_tables,
    )
    plan = run.plan(now)
    return Outcome(source, profiled, layer, changes, plan, time.monotonic() - started)


def execute(
    options: Options,
    settings: InitSettings,
    on_progress: Progress,
    enrich: Callable[[Layer], None] | None = None,
) -> Outcome:
    """Profile, generate (then ``enrich`` the documents, if given), compare and plan."""
    started = time.monotonic()
    try:
        source = resolve_source(options, settings)
        profiled = profile(source, options, settings, on_progress)
        layer = generate(profiled)
        if enrich is not None:
            enrich(layer)
        return prepare(options, profiled, layer, source, started)
    except DatasourceError as exc:
        raise InitError(exc.message) from None
    except LayerFileError as exc:
        raise InitError(str(exc)) from None


def write(outcome: Outcome, root: Path) -> None:
    try:
        for planned in outcome.plan.writes:
            write_text(root, planned.path, planned.text)
        write_text(root, state.SNAPSHOT, state.snapshot_text(outcome.plan.snapshot))
    except OSError as exc:
        raise InitError(f"cannot write the layer in {root}: {exc.strerror or exc}") from None
