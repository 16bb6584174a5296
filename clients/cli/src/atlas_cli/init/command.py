"""``atlas init``: profile a database into a semantic layer (or bring one up to date)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from atlas_cli import render

if TYPE_CHECKING:
    from atlas_cli.init import run

EXIT_INIT = 2
_err = Console(stderr=True, highlight=False)


def init(
    url: Annotated[
        str | None,
        typer.Option(
            help="The database: postgresql://, mysql://, sqlite:///, duckdb:/// or a "
            "file path. Default: ATLAS_DATASOURCE_URL.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", file_okay=False, help="The layer's folder.")
    ] = Path("semantic"),
    schema: Annotated[
        str | None, typer.Option(help="The schema to profile (default: the connection's).")
    ] = None,
    tables: Annotated[
        str | None, typer.Option(help="Only these tables, comma-separated: orders,users.")
    ] = None,
    force: Annotated[
        bool, typer.Option(help="Merge into existing files, keeping every hand edit.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Print what would change; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary only.")] = False,
    enrich: Annotated[
        bool, typer.Option(help="Ask the configured LLM (ATLAS_PROVIDER) for descriptions.")
    ] = False,
    demo: Annotated[
        bool, typer.Option(help="Profile the demo database (ATLAS_DEMO_DB_PATH).")
    ] = False,
) -> None:
    """Profile a database and write a semantic layer for it; re-run to see what changed."""
    # Imported here: the database drivers would slow every other command's start.
    from atlas_cli.init import run
    from atlas_cli.init.enrich import Enricher
    from atlas_cli.init.progress import Reporter
    from atlas_cli.init.settings import SettingsProblem, load_settings

    options = run.Options(
        url=url,
        output=output,
        schema=schema,
        force=force,
        dry_run=dry_run,
        demo=demo,
        tables=[t.strip() for t in (tables or "").split(",") if t.strip()],
    )
    try:
        settings = load_settings()
        enricher = Enricher(settings, _err) if enrich else None
        with Reporter(_err, quiet=as_json) as reporter:
            outcome = run.execute(options, settings, reporter, enricher)
        if not dry_run:
            run.write(outcome, output)
    except (run.InitError, SettingsProblem) as exc:
        _err.print(f"[bold red]atlas init:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(EXIT_INIT) from None
    notes = enricher.notes if enricher else []
    if as_json:
        render.print_json(summary(outcome, options, notes))
    else:
        show(outcome, options, notes)


def summary(outcome: run.Outcome, options: run.Options, notes: list[str]) -> dict[str, Any]:
    plan = outcome.plan
    return {
        "database": outcome.source.display,
        "dialect": outcome.profile.dialect,
        "output": str(options.output),
        "dryRun": options.dry_run,
        "tables": len(outcome.profile.tables),
        **{_camel(k): v for k, v in outcome.layer.counts().items()},
        "warnings": [*outcome.layer.warnings, *notes],
        "changes": outcome.changes.to_json(),
        "filesWritten": [w.path for w in plan.writes if w.action == "new"],
        "filesMerged": [w.path for w in plan.writes if w.action == "merged"],
        "notes": plan.notes,
        "seconds": round(outcome.seconds, 3),
    }


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def show(outcome: run.Outcome, options: run.Options, notes: list[str]) -> None:
    out = render.console
    counts = outcome.layer.counts()
    out.print(
        f"Profiled {len(outcome.profile.tables)} tables and views of "
        f"{escape(outcome.source.display)} in {outcome.seconds:.1f} s."
    )
    changes = outcome.changes
    if not changes.first_run:
        lines = changes.lines()
        out.print(
            "Changes in the database since the layer was made:"
            if lines
            else "No change in the database since the layer was made."
        )
        for line in lines:
            colour = "green" if line.startswith("+") else "red"
            out.print(f"  [{colour}]{escape(line)}[/]")
    verb = "Would write" if options.dry_run else "Wrote"
    for planned in outcome.plan.writes:
        out.print(f"{verb} {escape(str(options.output / planned.path))} ({planned.action})")
    for note in [*outcome.plan.notes, *outcome.layer.warnings, *notes]:
        out.print(f"[yellow]note:[/] {escape(note)}", soft_wrap=True)
    out.print(
        f"{counts['entities']} entities, {counts['joins_declared']} declared and "
        f"{counts['joins_inferred']} inferred joins, {counts['measures']} measures."
    )
    if options.dry_run:
        out.print("Dry run: nothing written.")
    elif outcome.plan.writes:
        out.print(
            f"Review the guesses (x-atlas-guess, inferred), then run Atlas with "
            f"ATLAS_SEMANTIC_ROOT={escape(str(options.output))} and ATLAS_DATASOURCE_URL."
        )
