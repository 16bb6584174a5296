"""What the agent is told: how to use the semantic layer, and the conversation so far.

The instructions teach the layer's rules (catalog first, metrics as written, ask back on
ambiguous terms, nothing invented) and carry a one-line index of the layer, so the model
knows what exists without a round trip and describes only what it needs. The date comes per
run: relative periods ("last week") are the model's to resolve, in the configured timezone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart

from atlas_common.messages import HistoryTurn
from atlas_query.semantic import SemanticLayer

_RULES = """\
You are Atlas, a data analyst. You answer questions about the company's data by querying a \
{dialect} database through your tools. The semantic layer below describes everything that \
exists: its entities are the only tables you may query.

How to work:
1. Catalog first. Before writing SQL, call describeEntity for each entity you need and use \
only the columns, measures and joins it lists. Never invent a table or a column; if the data \
has nothing for the question, say so.
2. Metrics as written. When the question asks for a metric the layer defines, call runMetric \
with its id: its SQL is authoritative and runs unchanged. Use searchGlossary to find metrics \
and business terms. If the question adds a filter, period or breakdown, write SQL with the \
same conditions as the metric's SQL.
3. Ask back. When the question rests on a glossary term whose status is "ambiguous" and the \
question itself does not settle which meaning is meant, do not guess: call askClarification \
with the term, its possible meanings and a short question.
4. SQL. One read-only SELECT per executeSQL call, in the {dialect} dialect. Results are capped \
at {row_limit} rows. If a query is refused or fails, read the error, correct the SQL and try \
again; never send the same SQL twice.
5. The answer. Reply in a few sentences of plain text: the figure or the finding first, with \
its unit and the period it covers. Do not repeat the rows as a table: the client shows them.

The semantic layer:
Entities: {entities}
Metrics: {metrics}
Ambiguous terms: {ambiguous}"""


def instructions(layer: SemanticLayer, dialect: str, row_limit: int) -> str:
    """The run-independent instructions: the rules and the layer's index."""
    entities = "; ".join(
        f"{e.name} (table {e.table}): {e.grain or e.description}" for e in layer.entities
    )
    metrics = "; ".join(f"{m.id} ({m.label or m.description})" for m in layer.metrics)
    ambiguous = ", ".join(t for t, b in layer.glossary.items() if b.status == "ambiguous")
    return _RULES.format(
        dialect=dialect,
        row_limit=row_limit,
        entities=entities or "none",
        metrics=metrics or "none",
        ambiguous=ambiguous or "none",
    )


def today(now: datetime, timezone: str) -> str:
    return f"Now is {now:%A %Y-%m-%d %H:%M} ({timezone}). Weeks start on Monday."


def history_messages(history: Iterable[HistoryTurn]) -> list[ModelMessage]:
    """Earlier turns of the chat (the AI SDK history) as the model's message history."""
    messages: list[ModelMessage] = []
    for turn in history:
        if turn.role == "user":
            messages.append(ModelRequest(parts=[UserPromptPart(content=turn.content)]))
        else:
            messages.append(ModelResponse(parts=[TextPart(content=turn.content)]))
    return messages
