"""Conversations through the gateway: stored turns, follow-ups, ownership, star, delete."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from tests.support.sse import parse_sse
from tests.support.stacks import PASSWORD, ManagedStack

QUESTION = "How many users signed up last week?"


@dataclass
class Users:
    gateway: str
    ana: dict[str, str]
    bob: dict[str, str]


@pytest.fixture(scope="module")
def users(managed_stack: ManagedStack) -> Users:
    gateway = managed_stack.a
    _, ana = managed_stack.sign_up("ana")  # a workspace of its own, ana its admin
    admin = {"authorization": f"Bearer {ana}"}
    bob_email = managed_stack.email("bob")
    r = httpx.post(
        gateway + "/api/admin/users",
        headers=admin,
        timeout=10,
        json={
            "email": bob_email,
            "name": "Bob",
            "password": PASSWORD,
            "role": "viewer",
        },
    )
    assert r.status_code == 201, r.text
    bob = httpx.post(
        gateway + "/api/auth/sign-in/email",
        timeout=10,
        json={"email": bob_email, "password": PASSWORD},
    ).json()["token"]
    return Users(gateway, admin, {"authorization": f"Bearer {bob}"})


def ask(
    u: Users, who: dict[str, str], question: str, conversation_id: str | None = None
) -> dict[str, object]:
    body: dict[str, object] = {"question": question}
    if conversation_id:
        body["conversationId"] = conversation_id
    r = httpx.post(u.gateway + "/api/v1/query", json=body, headers=who, timeout=60)
    assert r.status_code == 200, r.text
    return dict(r.json())


def get(u: Users, who: dict[str, str], path: str) -> httpx.Response:
    return httpx.get(u.gateway + path, headers=who, timeout=10)


def test_each_ask_stores_both_turns_and_a_title(users: Users) -> None:
    answer = ask(users, users.ana, QUESTION)
    cid = answer["conversationId"]
    assert isinstance(cid, str) and cid
    r = get(users, users.ana, f"/api/v1/conversations/{cid}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["title"] == QUESTION and body["surface"] == "api"
    assert [m["role"] for m in body["messages"]] == ["user", "assistant"]
    assert body["messages"][0]["content"] == QUESTION
    assert body["messages"][1]["content"] == answer["answer"]
    listing = get(users, users.ana, "/api/v1/conversations").json()
    assert listing["total"] >= 1 and listing["conversations"][0]["id"] == cid


def test_a_follow_up_joins_its_conversation(users: Users) -> None:
    first = ask(users, users.ana, QUESTION)
    second = ask(
        users, users.ana, "How many orders were placed last week?", str(first["conversationId"])
    )
    assert second["conversationId"] == first["conversationId"]
    messages = get(users, users.ana, f"/api/v1/conversations/{first['conversationId']}").json()[
        "messages"
    ]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 2


def test_a_chat_keeps_one_conversation_by_its_chat_id(users: Users) -> None:
    def chat(text: str) -> str:
        body = {
            "id": "chat-convo-1",
            "messages": [{"id": "m", "role": "user", "parts": [{"type": "text", "text": text}]}],
        }
        with httpx.stream(
            "POST", users.gateway + "/api/v1/chat", json=body, headers=users.ana, timeout=60
        ) as r:
            assert r.status_code == 200
            frames = list(parse_sse(r.iter_lines()))
            assert frames[-1].data == "[DONE]"
            return r.headers["x-conversation-id"]

    assert chat(QUESTION) == "chat-convo-1" == chat("How many orders were placed last week?")
    body = get(users, users.ana, "/api/v1/conversations/chat-convo-1").json()
    assert body["surface"] == "web" and len(body["messages"]) == 4


def test_another_users_conversation_is_404_and_never_joined(users: Users) -> None:
    cid = str(ask(users, users.ana, QUESTION)["conversationId"])
    assert get(users, users.bob, f"/api/v1/conversations/{cid}").status_code == 404
    r = httpx.delete(f"{users.gateway}/api/v1/conversations/{cid}", headers=users.bob, timeout=10)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    theirs = ask(users, users.bob, QUESTION, cid)
    assert theirs["conversationId"] != cid
    assert len(get(users, users.ana, f"/api/v1/conversations/{cid}").json()["messages"]) == 2
    assert all(
        c["id"] != cid
        for c in get(users, users.bob, "/api/v1/conversations").json()["conversations"]
    )


def test_star_filter_paging_and_delete(users: Users) -> None:
    ids = [
        str(ask(users, users.bob, f"How many orders were placed {r}?")["conversationId"])
        for r in ("yesterday", "last week", "this month")
    ]
    r = httpx.patch(
        f"{users.gateway}/api/v1/conversations/{ids[0]}/star",
        headers=users.bob,
        json={"starred": True},
        timeout=10,
    )
    assert r.status_code == 200 and r.json() == {"id": ids[0], "starred": True}
    starred = get(users, users.bob, "/api/v1/conversations?starred=true").json()
    assert [c["id"] for c in starred["conversations"]] == [ids[0]] and starred["total"] == 1
    page = get(users, users.bob, "/api/v1/conversations?limit=2&offset=0").json()
    assert [c["id"] for c in page["conversations"]] == [ids[2], ids[1]]
    assert page["total"] >= 3
    r = httpx.delete(
        f"{users.gateway}/api/v1/conversations/{ids[1]}", headers=users.bob, timeout=10
    )
    assert r.status_code == 204
    assert get(users, users.bob, f"/api/v1/conversations/{ids[1]}").status_code == 404
    bad = get(users, users.bob, "/api/v1/conversations?limit=0")
    assert bad.status_code == 422 and bad.json()["error"] == "validation_error"


def test_a_follow_up_refines_the_previous_question(users: Users) -> None:
    first = ask(users, users.ana, QUESTION)
    data = first["data"]
    assert isinstance(data, list)
    total = next(iter(data[0]["rows"][0].values()))
    follow = ask(users, users.ana, "break that down by country", str(first["conversationId"]))
    assert follow["conversationId"] == first["conversationId"]
    follow_data = follow["data"]
    assert isinstance(follow_data, list) and follow_data, follow
    columns = follow_data[0]["columns"]
    assert any("country" in c for c in columns), columns
    measure = next(c for c in columns if "country" not in c)
    assert sum(row[measure] for row in follow_data[0]["rows"]) == total
    assert "last week" in str(follow["answer"])
