"""The ask routes: one JSON answer, the AI SDK chat stream, resume and stop."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from atlas_common.errors import InvalidRequest, request_id_of
from atlas_common.messages import HistoryTurn
from atlas_common.ui_stream import UI_STREAM_HEADERS
from atlas_common.wire.errors import error_responses
from atlas_gateway.deps import Ask, CurrentPrincipal, State
from atlas_gateway.errors import InvalidQuestion
from atlas_gateway.schemas import ChatRequest, QueryRequest, QueryResponse, StopResponse, UIMessage
from atlas_gateway.service.ask import AskService, Question, Run
from atlas_gateway.service.conversations import resolve_conversation

router = APIRouter(tags=["Ask"])


def _checked_question(text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise InvalidQuestion("must not be empty", "must not be empty")
    if len(text) > limit:
        raise InvalidQuestion(f"at most {limit} characters", f"longer than {limit} characters")
    return text


@router.post(
    "/api/v1/query",
    response_model=QueryResponse,
    response_model_by_alias=True,
    summary="Ask a question; one JSON answer",
    # 400: store false with a conversationId; 404: an unknown conversationId of the caller;
    # 403/429: the plan; 503: no worker
    responses=error_responses(400, 403, 404, 429, 503),
)
async def query(
    body: QueryRequest, request: Request, ask: Ask, principal: CurrentPrincipal, state: State
) -> Response:
    question = _checked_question(body.question, state.settings.max_question_chars)
    if not body.store and body.conversation_id:
        raise InvalidRequest("store: false cannot continue a stored conversation")
    # Not stored: no conversation id, so the worker records nothing (issue 22).
    conversation_id = (
        await resolve_conversation(state, body.conversation_id, None, principal)
        if body.store else None
    )
    run = await ask.start(
        Question(
            request_id_of(request),
            question,
            principal,
            conversation_id=conversation_id,
            surface=body.surface,
        )
    )
    answer = await ask.answer(run)
    # Serialized once by pydantic's core: returned as a model, FastAPI would validate it again
    # against response_model and encode it through jsonable_encoder (issue 23).
    return Response(answer.model_dump_json(by_alias=True), media_type="application/json")


_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        # No schema: each event's data is a JSON frame (docs), not one string.
        "content": {"text/event-stream": {}},
        "description": "The AI SDK UI message stream (`x-vercel-ai-ui-message-stream: v1`).",
    },
}


@router.post(
    "/api/v1/chat",
    summary="Ask in a chat; AI SDK UI message stream (SSE)",
    response_class=Response,
    responses={**_STREAM, **error_responses(400, 403, 404, 429, 503)},
)
@router.post("/api/chat", include_in_schema=False)
async def chat(
    body: ChatRequest, request: Request, ask: Ask, principal: CurrentPrincipal, state: State
) -> StreamingResponse:
    users = [m for m in body.messages if m.role == "user"]
    if not users:
        raise InvalidRequest("messages: no user message to answer")
    question = _checked_question(users[-1].text(), state.settings.max_question_chars)
    history = _history(body.messages[: body.messages.index(users[-1])])
    chat_id = body.id or None
    conversation_id = await resolve_conversation(state, body.conversation_id, chat_id, principal)
    run = await ask.start(
        Question(
            request_id_of(request),
            question,
            principal,
            conversation_id=conversation_id,
            chat_id=chat_id,
            history=history,
            surface=body.surface,
        )
    )
    return stream_response(ask, run, (0, 0), conversation_id)


_RESUME: dict[int | str, dict[str, Any]] = {
    200: {**_STREAM[200], "description": "The stream, from `Last-Event-ID` if given."},
    204: {"description": "The run has finished (or the conversation has none): nothing to "
                         "resume."},
    **error_responses(401, 404, 503),
}


@router.get(
    "/api/v1/chat/{run_id}/stream",
    summary="Resume a chat stream",
    response_class=Response,
    responses=_RESUME,
)
@router.get("/api/chat/{run_id}/stream", include_in_schema=False)
async def resume(
    run_id: str, ask: Ask, principal: CurrentPrincipal, last_event_id: str | None = Header(None)
) -> Response:
    found = await ask.resume(run_id, principal, last_event_id)
    if found is None:
        return Response(status_code=204)
    run, after = found
    return stream_response(ask, run, after, run_id)


@router.post(
    "/api/v1/chat/{request_id}/stop",
    response_model=StopResponse,
    response_model_by_alias=True,
    summary="Stop a running answer",
    responses=error_responses(404),
)
async def stop(request_id: str, ask: Ask, principal: CurrentPrincipal) -> StopResponse:
    await ask.stop(request_id, principal)
    return StopResponse(request_id=request_id, stopped=True)


def stream_response(
    ask: AskService, run: Run, after: tuple[int, int], conversation_id: str
) -> StreamingResponse:
    headers = {
        **UI_STREAM_HEADERS,
        "x-request-id": run.request_id,
        "x-run-id": run.request_id,  # upstream's name for the same id (stop, run-status)
        "x-conversation-id": conversation_id,
    }
    frames = ask.frames(run, after)
    return StreamingResponse(
        frames,
        media_type="text/event-stream",
        headers=headers,
        background=BackgroundTask(_close, frames, run),
    )


async def _close(frames: AsyncGenerator[bytes, None], run: Run) -> None:
    """After the response, even one cut short by a hang-up: Starlette cancels the stream
    without closing it, so a generator left at a ``yield`` would run its ``finally`` (release
    the channel, watch for abandonment) only when collected. Closing it here runs it now; the
    stack's own close covers a stream never iterated (client gone before the first byte)."""
    await frames.aclose()
    await run.stack.aclose()


def _history(messages: list[UIMessage]) -> tuple[HistoryTurn, ...]:
    return tuple(
        HistoryTurn(role=m.role, content=m.text())
        for m in messages
        if m.role in ("user", "assistant") and m.text()
    )
