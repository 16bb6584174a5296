"""Which conversation a question joins, asked of query-api (which owns conversations)."""

from __future__ import annotations

import logging
import uuid

import httpx

from atlas_common.errors import Unavailable
from atlas_common.internal import internal_headers
from atlas_common.principal import Principal
from atlas_gateway.state import GatewayState

log = logging.getLogger(__name__)


async def resolve_conversation(
    state: GatewayState, conversation_id: str | None, chat_id: str | None, principal: Principal
) -> str:
    """The caller's conversation, else a new one. Asking never fails for want of the store:
    when query-api cannot say, the question starts a new conversation."""
    if not conversation_id and not chat_id:
        return uuid.uuid4().hex
    try:
        response = await state.http.post(
            f"{state.settings.query_api_url}/internal/v1/conversations/resolve",
            json={"conversationId": conversation_id, "chatId": chat_id},
            headers=internal_headers(state.settings.internal_token, principal),
            timeout=3,
        )
        response.raise_for_status()
        return str(response.json()["conversationId"])
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        log.warning("conversation not resolved, starting a new one: %r", exc)
        return uuid.uuid4().hex


async def owns_conversation(
    state: GatewayState, conversation_id: str, principal: Principal
) -> bool:
    """Whether the conversation exists and is the caller's, asked of query-api. Unlike
    :func:`resolve_conversation` there is no safe default: an unreachable store is a 503."""
    try:
        response = await state.http.get(
            f"{state.settings.query_api_url}/internal/v1/conversations/{conversation_id}/owned",
            headers=internal_headers(state.settings.internal_token, principal),
            timeout=3,
        )
    except httpx.HTTPError as exc:
        log.warning("conversation ownership not checked: %r", exc)
        raise Unavailable("The conversation store is not reachable") from exc
    if response.status_code not in (204, 404):
        log.warning("conversation ownership check answered %s", response.status_code)
        raise Unavailable("The conversation store could not answer")
    return response.status_code == 204
