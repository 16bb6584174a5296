"""Stream events -> one JSON answer. Only the final attempt counts: a restart starts over."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atlas_common.errors import AtlasError
from atlas_common.stream_events import StreamEvent
from atlas_gateway.schemas import Clarification, DataSet, QueryResponse, Usage

#: HTTP status of an answer that ended with an error event, by code.
ERROR_STATUS = {
    "timeout": 504,
    "unavailable": 503,
    "stream_lost": 502,
    "invalid_request": 400,
    "forbidden": 403,
    "no_datasource": 400,
    "provider_auth_error": 503,
    "provider_rate_limit": 503,
    "provider_timeout": 504,
    "provider_unreachable": 503,
    "provider_model_not_found": 503,
    "provider_error": 502,
}


@dataclass
class AnswerGatherer:
    request_id: str
    conversation_id: str | None
    text: list[str] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    data: list[DataSet] = field(default_factory=list)
    steps: int = 0
    total_tokens: int = 0
    clarification: Clarification | None = None
    suggestions: list[str] | None = None
    error: AtlasError | None = None

    def add(self, event: StreamEvent) -> None:  # noqa: C901 - a flat table of event types
        match event.type:
            case "restart":
                self._reset()
            case "text-delta":
                self.text.append(event.delta)
            case "tool-call" if event.name == "executeSQL":
                self.sql.append(str(event.input.get("sql", "")))
            case "tool-result" if event.name == "executeSQL":
                self.data.append(_dataset(event.output))
            case "clarification":
                self.clarification = Clarification(term=event.term, options=event.options)
            case "suggestions":
                self.suggestions = list(event.suggestions)
            case "usage":
                self.total_tokens = event.total_tokens
            case "done":
                self.steps = event.steps
                self.conversation_id = event.conversation_id or self.conversation_id
            case "error":
                extra: dict[str, Any] = {}
                headers: dict[str, str] = {}
                if event.retry_after_seconds is not None:
                    extra["retryAfterSeconds"] = event.retry_after_seconds
                    headers["Retry-After"] = str(event.retry_after_seconds)
                self.error = AtlasError(
                    event.message,
                    code=event.code,
                    status_code=ERROR_STATUS.get(event.code, 500),
                    headers=headers,
                    **extra,
                )

    def _reset(self) -> None:
        self.text, self.sql, self.data = [], [], []
        self.steps = self.total_tokens = 0
        self.clarification, self.suggestions = None, None

    def response(self) -> QueryResponse:
        if self.error is not None:
            raise self.error
        return QueryResponse(
            answer="".join(self.text).strip(),
            sql=self.sql,
            data=self.data,
            steps=max(self.steps, len(self.sql)),
            usage=Usage(total_tokens=self.total_tokens),
            conversation_id=self.conversation_id,
            request_id=self.request_id,
            run_id=self.request_id,
            clarification=self.clarification,
            suggestions=self.suggestions,
        )


def _dataset(output: dict[str, Any]) -> DataSet:
    columns = [str(c) for c in output.get("columns", [])]
    rows = output.get("rows", [])
    return DataSet(columns=columns, rows=rows if isinstance(rows, list) else [])
