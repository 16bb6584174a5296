"""Every tool's input and output, as pydantic models: the JSON Schemas a model reads, and the
validation of what it sends. Inputs forbid unknown fields, so a misspelt argument is an
``invalid_arguments`` error rather than silently ignored."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

#: No path separator, no "..", no NUL: a name is never a path (it is joined into one).
NAME_PATTERN = r"^(?!.*\.\.)[^/\\\x00]+$"
Json = dict[str, Any]


class Input(BaseModel):
    # python-re: the name pattern needs a look-ahead, which the default engine lacks.
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, regex_engine="python-re"
    )


class Output(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class QueryInput(Input):
    question: str = Field(
        min_length=1,
        max_length=4000,
        description='The question in plain English, e.g. "How many users signed up last week?"',
    )
    conversation_id: str | None = Field(
        None,
        max_length=200,
        description="Continue this conversation (the conversationId of an earlier answer).",
    )


class Clarification(Output):
    term: str
    options: list[str]
    question: str = ""


class DataSet(Output):
    columns: list[str]
    rows: list[Json]
    truncated: bool = False


class QueryOutput(Output):
    answer: str = Field(description="The narrative answer (or the clarifying question).")
    sql: list[str] = Field(description="The SQL that ran, in order.")
    columns: list[str] = Field(description="Columns of the last result set.")
    rows: list[Json] = Field(description="Rows of the last result set, keyed by column.")
    data: list[DataSet] = Field(description="Every result set.")
    conversation_id: str | None = None
    request_id: str = ""
    clarification: Clarification | None = Field(
        None, description="When set, ask again with one of its options."
    )
    suggestions: list[str] | None = None


class ExecuteSqlInput(Input):
    sql: str = Field(
        min_length=1,
        max_length=100_000,
        description="One SELECT statement (the dialect of the datasource).",
    )
    explanation: str | None = Field(
        None,
        max_length=2000,
        description="What the query is for, in a sentence (for the user; Atlas does not need it).",
    )


class SqlOutput(Output):
    columns: list[str]
    rows: list[Json]
    row_count: int
    truncated: bool
    execution_ms: float | None = None


class ExploreInput(Input):
    command: str = Field(
        min_length=1,
        max_length=1024,
        description=(
            "A read command over the semantic layer's files: `ls [dir]`, `cat <file>`, "
            "`head [-n N] <file>`, `grep [-i] [-l] <pattern> [path]` or `find [dir] [-name GLOB]`, "
            "e.g. 'cat catalog.yml', 'grep -i revenue entities/'."
        ),
    )


class ExploreOutput(Output):
    command: str
    output: str


class ListEntitiesInput(Input):
    filter: str | None = Field(
        None,
        max_length=1024,
        description="Case-insensitive substring matched against name, table and description.",
    )


class EntitySummary(Output):
    name: str
    table: str
    description: str = ""
    grain: str = ""
    dimension_count: int = 0
    measure_count: int = 0


class ListEntitiesOutput(Output):
    count: int
    entities: list[EntitySummary]


class DescribeEntityInput(Input):
    name: str = Field(
        min_length=1,
        max_length=256,
        pattern=NAME_PATTERN,
        description="The entity's name as listEntities reports it, or its table name.",
    )


class DescribeEntityOutput(Output):
    found: bool
    entity: Json


class SearchGlossaryInput(Input):
    term: str = Field(
        min_length=1, max_length=1024, description="A term, phrase or substring to look up."
    )


class GlossaryMatch(Output):
    term: str
    status: str
    definition: str | None = None
    note: str | None = None
    tables: list[str] = Field(default_factory=list)
    possible_mappings: list[str] = Field(default_factory=list)


class SearchGlossaryOutput(Output):
    query: str
    count: int
    matches: list[GlossaryMatch]
    hint: str | None = None


Scalar = str | int | float | bool | None


class RunMetricInput(Input):
    id: str = Field(
        min_length=1, max_length=256, pattern=NAME_PATTERN, description="The metric's id."
    )
    dimensions: list[str] | None = Field(
        None,
        max_length=5,
        description="Columns of the metric's entity to group by, e.g. ['country'].",
    )
    filters: dict[str, Scalar | list[Scalar]] | None = Field(
        None,
        description="Column = value (or list of values) of the metric's entity: {'plan': 'pro'}.",
    )


class MetricOutput(Output):
    id: str
    label: str | None = None
    value: Any = None
    columns: list[str]
    rows: list[Json]
    row_count: int
    truncated: bool
    sql: str
