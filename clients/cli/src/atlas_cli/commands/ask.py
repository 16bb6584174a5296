"""``atlas ask``: the answer streamed live, then its SQL (highlighted) and rows (a table)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Annotated

import typer
from atlas_sdk import (
    APIError,
    Atlas,
    AtlasError,
    ClarificationEvent,
    DataSet,
    ErrorEvent,
    FinishEvent,
    RestartEvent,
    RowsEvent,
    StatusEvent,
    Stream,
    StreamEvent,
    SuggestionsEvent,
    TextEvent,
    ToolCallEvent,
)
from rich.console import Console
from rich.markup import escape
from rich.status import Status

from atlas_cli import render
from atlas_cli.errors import describe, fail, handles_errors
from atlas_cli.settings import current

EXIT_INTERRUPTED = 130


@dataclass
class _Answer:
    """What the stream brought, for the summary after the text."""

    sql: list[str] = field(default_factory=list)
    data: list[DataSet] = field(default_factory=list)
    clarification: ClarificationEvent | None = None
    suggestions: list[str] = field(default_factory=list)
    error: APIError | None = None
    stopped: bool = False

    def add(self, event: StreamEvent) -> None:
        match event:
            case RestartEvent():
                self.sql, self.data, self.suggestions = [], [], []
                self.clarification = None
            case ToolCallEvent() if event.sql is not None:
                self.sql.append(event.sql)
            case RowsEvent():
                self.data.append(DataSet(event.columns, event.rows, event.truncated))
            case ClarificationEvent():
                self.clarification = event
            case SuggestionsEvent():
                self.suggestions = list(event.suggestions)
            case ErrorEvent():
                self.error = event.error
            case FinishEvent():
                self.stopped = event.reason == "stopped"


@handles_errors
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in plain English.")],
    conversation: Annotated[
        str | None, typer.Option("--conversation", "-c", help="Follow up in this conversation.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole answer as JSON, nothing else.")
    ] = False,
    csv_file: Annotated[
        str | None,
        typer.Option("--csv", metavar="FILE", help="Write the rows as CSV to FILE ('-': stdout)."),
    ] = None,
) -> None:
    """Ask a question about your data."""
    with current(ctx).client() as client:
        if as_json:
            _ask_json(client, question, conversation, csv_file)
        else:
            _ask_live(client, question, conversation, csv_file)


def _ask_json(client: Atlas, question: str, conversation: str | None, csv_file: str | None) -> None:
    result = client.query(question, conversation)
    if csv_file and result.data:
        render.write_csv(result.data[-1], csv_file)
    if csv_file != "-":
        render.print_json(result.to_dict())


def _ask_live(client: Atlas, question: str, conversation: str | None, csv_file: str | None) -> None:
    # With the rows on stdout (--csv -), the narrative goes to stderr.
    out = render.err_console if csv_file == "-" else render.console
    answer = _Answer()
    spinner = _Spinner(render.err_console)
    try:
        with client.stream_query(question, conversation) as stream:
            try:
                for event in stream:
                    answer.add(event)
                    spinner.follow(event)
                    _show_live(event, out)
            except KeyboardInterrupt:
                _stop_quietly(stream)
                raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        spinner.stop()
    out.print()
    _summary(answer, out)
    if csv_file and answer.data:
        render.write_csv(answer.data[-1], csv_file)
    if answer.error is not None:
        message, code = describe(answer.error)
        raise fail(message, code)


def _stop_quietly(stream: Stream) -> None:
    """Ctrl-C: stop the answer on the server too, rather than leave it running."""
    with contextlib.suppress(AtlasError):
        stream.stop()
    render.err_console.print("\n[dim](stopped)[/]")


class _Spinner:
    """On a terminal, the answer's progress until its text starts (on stderr)."""

    def __init__(self, console: Console) -> None:
        self._status: Status | None = None
        if console.is_terminal:
            self._status = console.status("Asking…", spinner="dots")
            self._status.start()

    def follow(self, event: StreamEvent) -> None:
        if isinstance(event, StatusEvent) and self._status is not None:
            self._status.update(escape(event.message) + "…")
        elif isinstance(event, TextEvent | FinishEvent):
            self.stop()

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


def _show_live(event: StreamEvent, out: Console) -> None:
    match event:
        case TextEvent():
            out.print(event.text, end="", markup=False, highlight=False, soft_wrap=True)
        case RestartEvent():
            out.print("\n[dim](the answer started over)[/]")
        case StatusEvent() if event.stage == "stopped":
            out.print("\n[dim](stopped)[/]", end="")


def _summary(answer: _Answer, out: Console) -> None:
    if answer.sql:
        render.show_sql(answer.sql, out)
    for data in answer.data:
        render.show_data(data, out)
    if answer.clarification is not None:
        c = answer.clarification
        render.show_clarification(c.term, c.options, out)
    if answer.suggestions:
        render.show_suggestions(answer.suggestions, out)
