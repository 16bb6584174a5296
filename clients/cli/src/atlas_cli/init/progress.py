"""Progress while profiling: a rich bar per table on a terminal, plain lines otherwise.

Both go to stderr, so stdout holds only the result (``--json`` is parseable as it is).
"""

from __future__ import annotations

from types import TracebackType

from atlas_datasources.progress import ProgressEvent
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class Reporter:
    def __init__(self, console: Console, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> Reporter:
        if self.console.is_terminal and not self.quiet:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()

    def __call__(self, event: ProgressEvent) -> None:
        if self.bar is not None:
            self._bar(event)
        elif not self.quiet:
            line = _line(event)
            if line:
                self.console.print(escape(line), highlight=False, soft_wrap=True)

    def _bar(self, event: ProgressEvent) -> None:
        assert self.bar is not None
        if event.kind == "introspected":
            self.task = self.bar.add_task("profiling", total=event.total)
        elif self.task is None:
            return
        elif event.kind == "table_started":
            self.bar.update(self.task, description=f"profiling {escape(event.table or '')}")
        elif event.kind == "table_finished":
            self.bar.advance(self.task)
        elif event.kind == "inferring_keys":
            self.bar.update(self.task, description="inferring foreign keys")


def _line(event: ProgressEvent) -> str | None:
    if event.kind == "introspected":
        return f"{event.total} tables and views to profile"
    if event.kind == "table_finished":
        rows = f"{'~' if event.row_count_estimated else ''}{event.row_count or 0:,} rows"
        sampled = ", sampled" if event.sampled else ""
        took = f" in {event.elapsed_s:.2f} s" if event.elapsed_s is not None else ""
        warning = f" (warning: {event.warning})" if event.warning else ""
        return (
            f"[{event.index}/{event.total}] {event.table}: {rows}, {event.columns} columns"
            f"{sampled}{took}{warning}"
        )
    if event.kind == "inferring_keys":
        return "inferring foreign keys from names and values"
    return None
