"""Conversations through the SDK and ``atlas conversations`` (auth mode none)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from atlas_sdk import Atlas, ConversationDetail, NotFoundError
from typer.testing import Result

from tests.clients.cli import atlas
from tests.clients.conftest import QUESTION, Running


def _asked(client: Atlas, question: str) -> str:
    """Ask, then find the conversation the answer was saved in."""
    result = client.query(question)
    page = client.conversations.list(limit=100)
    assert page.total >= 1 and page.conversations
    if result.conversation_id:
        return result.conversation_id
    found = [c for c in page.conversations if question.rstrip("?") in c.title]
    return (found or page.conversations)[0].id


def test_list_get_star_unstar_delete(none_stack: Running) -> None:
    client = Atlas(none_stack.url)
    conversation_id = _asked(client, QUESTION)
    detail = client.conversations.get(conversation_id)
    assert isinstance(detail, ConversationDetail) and detail.id == conversation_id
    assert any(m.role == "user" and QUESTION in m.content for m in detail.messages)
    assert detail.created_at is not None

    assert client.conversations.star(conversation_id).starred is True
    starred = client.conversations.list(starred=True)
    assert conversation_id in {c.id for c in starred.conversations}
    assert client.conversations.unstar(conversation_id).starred is False

    client.conversations.delete(conversation_id)
    with pytest.raises(NotFoundError):
        client.conversations.get(conversation_id)


def test_a_follow_up_stays_in_its_conversation(none_stack: Running, config_dir: Path) -> None:
    client = Atlas(none_stack.url)
    conversation_id = _asked(client, "How many orders were placed last month?")
    r = atlas(
        "ask", "And the month before?", "--conversation", conversation_id, "--json",
        url=none_stack.url, config_dir=config_dir,
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["conversationId"] == conversation_id
    contents = [m.content for m in client.conversations.get(conversation_id).messages]
    assert "And the month before?" in contents


def test_cli_conversations_list_show_delete(none_stack: Running, config_dir: Path) -> None:
    conversation_id = _asked(Atlas(none_stack.url), "How many products are there?")

    def run(*args: str) -> Result:
        return atlas(*args, url=none_stack.url, config_dir=config_dir)

    r = run("conversations", "list", "--json")
    assert r.exit_code == 0, r.output
    assert conversation_id in {c["id"] for c in json.loads(r.stdout)["conversations"]}
    r = run("conversations", "list")
    assert r.exit_code == 0 and conversation_id in r.stdout
    r = run("conversations", "show", conversation_id)
    assert r.exit_code == 0 and "How many products are there?" in r.stdout
    r = run("conversations", "delete", conversation_id, "--yes")
    assert r.exit_code == 0 and "Deleted" in r.stdout
    r = run("conversations", "show", conversation_id)
    assert r.exit_code == 1 and "Not found" in r.stderr
