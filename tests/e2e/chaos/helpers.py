"""Reading a chat stream while a fault is injected at a chosen frame."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.support.sse import SseFrame, parse_sse

DEMO_QUESTION = "How many users signed up last week?"


def chat_body(text: str, chat_id: str) -> dict[str, object]:
    return {
        "id": chat_id,
        "messages": [{"id": "m1", "role": "user", "parts": [{"type": "text", "text": text}]}],
    }


def stream_with_fault(
    gateway: str,
    body: dict[str, object],
    fault: Callable[[str, list[SseFrame]], bool],
    headers: dict[str, str] | None = None,
) -> tuple[str, list[SseFrame]]:
    """Read the whole stream; call ``fault(request_id, frames)`` after each frame until it
    returns True (it injected its fault)."""
    frames: list[SseFrame] = []
    injected = False
    with httpx.stream(
        "POST", gateway + "/api/v1/chat", json=body, headers=headers, timeout=90
    ) as r:
        assert r.status_code == 200, r.read()
        request_id = r.headers["x-request-id"]
        for frame in parse_sse(r.iter_lines()):
            frames.append(frame)
            if not injected:
                injected = fault(request_id, frames)
    assert injected, "the fault point was never reached"
    return request_id, frames


def assert_clean_ending(frames: list[SseFrame]) -> None:
    """Exactly one terminal answer, no frame twice, ids strictly increasing."""
    kinds = [f.type for f in frames]
    assert kinds.count("finish") == 1 and kinds.count("[DONE]") == 1, kinds
    assert kinds[-2:] == ["finish", "[DONE]"]
    keys = [tuple(int(x) for x in (f.id or "").split("-")) for f in frames]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), "a frame repeated or reordered"


def text_after_last_restart(frames: list[SseFrame]) -> str:
    kinds = [f.type for f in frames]
    start = max((i for i, k in enumerate(kinds) if k == "data-restart"), default=-1)
    return "".join(f.json["delta"] for f in frames[start + 1 :] if f.type == "text-delta")


def deltas(frames: list[SseFrame]) -> int:
    return sum(f.type == "text-delta" for f in frames)


def expected_answer(
    gateway: str, question: str = DEMO_QUESTION, headers: dict[str, str] | None = None
) -> str:
    r = httpx.post(
        gateway + "/api/v1/query", json={"question": question}, headers=headers, timeout=90
    )
    assert r.status_code == 200, r.text
    return str(r.json()["answer"])
