"""Request and response bodies of the public ask API (camelCase on the wire)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from atlas_common.wire.conversations import CONVERSATION_ID_PATTERN


class WireModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class QueryRequest(WireModel):
    # The document says what the route refuses: `store: false` with a conversationId is 400.
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"store": {"const": False}}, "required": ["store"]},
        "then": {"properties": {"conversationId": {"type": "null"}}},
    })
    # Blank is refused (422) after stripping: the pattern says "some non-space character".
    question: str = Field(
        min_length=1,
        description="The question, in plain English.",
        json_schema_extra={"pattern": r"\S"},
    )
    conversation_id: str | None = Field(None, pattern=CONVERSATION_ID_PATTERN)
    surface: Literal["web", "api", "mcp", "slack"] = Field(
        "api", description="Where the question comes from.")
    store: bool = Field(
        True,
        description="Keep the question and answer as a conversation, whose id comes back as "
        "`conversationId` for a follow-up. `false`: nothing is stored and `conversationId` is "
        "null (not with a `conversationId`: 400). Stored `api` conversations untouched for "
        "ATLAS_CONVERSATION_RETENTION_DAYS (30) are deleted unless starred.",
    )


class DataSet(WireModel):
    columns: list[str]
    rows: list[dict[str, Any]]


class Usage(WireModel):
    total_tokens: int = 0


class Clarification(WireModel):
    term: str
    options: list[str]


class QueryResponse(WireModel):
    answer: str
    sql: list[str]
    data: list[DataSet]
    steps: int
    usage: Usage
    conversation_id: str | None
    request_id: str
    run_id: str | None = Field(None, description="The run (= request id): for stop and status.")
    clarification: Clarification | None = None
    suggestions: list[str] | None = None


class UIMessage(WireModel):
    id: str = ""
    role: Literal["user", "assistant", "system"]
    parts: list[dict[str, Any]] = Field(default_factory=list)
    content: str | None = Field(None, description="Older AI SDK clients send plain content.")

    def text(self) -> str:
        texts = [str(p.get("text", "")) for p in self.parts if p.get("type") == "text"]
        if not texts and self.content:
            return self.content
        return "".join(texts)


class ChatRequest(WireModel):
    id: str | None = Field(None, pattern=CONVERSATION_ID_PATTERN)
    messages: list[UIMessage] = Field(min_length=1)
    trigger: Literal["submit-message", "regenerate-message"] = "submit-message"
    conversation_id: str | None = Field(None, pattern=CONVERSATION_ID_PATTERN)
    surface: Literal["web", "api", "mcp", "slack"] = Field(
        "web", description="Where the question comes from.")


class StopResponse(WireModel):
    request_id: str
    stopped: bool
