"""The SDK's ``store`` option of ``query``: a one-off question leaves no conversation; the
default keeps one that a follow-up continues (issue 22)."""

from __future__ import annotations

from atlas_sdk import AsyncAtlas, Atlas

from tests.clients.conftest import QUESTION, Running


def test_store_false_keeps_no_conversation(none_stack: Running) -> None:
    client = Atlas(none_stack.url)
    one_off = client.query(QUESTION, store=False)
    assert one_off.answer and one_off.conversation_id is None
    kept = client.query(QUESTION)
    assert kept.conversation_id
    assert client.query(QUESTION, kept.conversation_id).conversation_id == kept.conversation_id


async def test_the_async_client_takes_store_too(none_stack: Running) -> None:
    async with AsyncAtlas(none_stack.url) as client:
        result = await client.query(QUESTION, store=False)
    assert result.answer and result.conversation_id is None
