"""``query``: a question in plain English, answered through ``POST /api/v1/chat``.

The stream is read with the Python SDK (it parses the AI SDK frames and resumes a dropped
connection); its status and tool events become MCP progress notifications while it works.
"""

from __future__ import annotations

from atlas_sdk import AtlasError, QueryResult, StatusEvent, StreamEvent, ToolCallEvent

from atlas_mcp.errors import from_sdk
from atlas_mcp.tools.base import Call, ToolSpec
from atlas_mcp.tools.schemas import Clarification, DataSet, QueryInput, QueryOutput

DESCRIPTION = (
    "Ask Atlas a data question in plain English. Atlas plans it against the semantic layer, "
    "writes and validates the SQL, runs it and answers in words. Returns the answer, the SQL "
    "and the rows. When a term is ambiguous the answer is a clarifying question with "
    "`clarification.options`: ask again naming one, passing `conversationId` to continue. "
    "Prefer this tool for any question about the data; use executeSQL only for SQL you wrote. "
    "Errors: plan_limit_exceeded, rate_limited, forbidden_role, auth_error, unavailable, "
    "gateway_unreachable, gateway_timeout, invalid_arguments."
)


async def run(call: Call, args: QueryInput) -> QueryOutput:
    step = 0.0
    try:
        async with call.gateway.sdk(call.key) as client:
            stream = await client.stream_query(args.question, args.conversation_id, surface="mcp")
            async with stream:
                async for event in stream:
                    message = _progress_message(event)
                    if message:
                        step += 1
                        await call.progress(step, message)
                result = await stream.final_result()
    except AtlasError as error:
        raise from_sdk(error) from None
    return _output(result)


def _progress_message(event: StreamEvent) -> str | None:
    if isinstance(event, StatusEvent):
        return event.message
    if isinstance(event, ToolCallEvent):
        return "Running SQL" if event.sql else f"Calling {event.name}"
    return None


def _output(result: QueryResult) -> QueryOutput:
    data = [DataSet(columns=d.columns, rows=d.rows, truncated=d.truncated) for d in result.data]
    last = data[-1] if data else DataSet(columns=[], rows=[])
    clarification = (
        Clarification(
            term=result.clarification.term,
            options=result.clarification.options,
            question=result.clarification.question,
        )
        if result.clarification
        else None
    )
    return QueryOutput(
        answer=result.answer,
        sql=result.sql,
        columns=last.columns,
        rows=last.rows,
        data=data,
        conversation_id=result.conversation_id,
        request_id=result.request_id,
        clarification=clarification,
        suggestions=result.suggestions,
    )


TOOL = ToolSpec("query", "Ask Atlas (a data question)", DESCRIPTION, QueryInput, QueryOutput, run)
