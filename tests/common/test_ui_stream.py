from atlas_common.stream_events import (
    DoneEvent,
    ErrorEvent,
    RestartEvent,
    TextDeltaEvent,
    ToolCallEvent,
)
from atlas_common.ui_stream import frames_for_event, parse_frame_id, start_frame


def _frames(events):  # type: ignore[no-untyped-def]
    out, previous = [], None
    for event in events:
        out += frames_for_event(event, previous, "req")
        previous = event
    return [(f.id, f.payload) for f in out]


def test_text_part_opens_streams_and_closes_before_the_next_event() -> None:
    frames = _frames(
        [
            TextDeltaEvent(seq=1, part_id="t1", delta="Hello "),
            TextDeltaEvent(seq=2, part_id="t1", delta="world"),
            ToolCallEvent(seq=3, tool_call_id="c1", name="executeSQL", input={"sql": "SELECT 1"}),
            DoneEvent(seq=4),
        ]
    )
    assert frames == [
        ("1-0", {"type": "text-start", "id": "t1"}),
        ("1-1", {"type": "text-delta", "id": "t1", "delta": "Hello "}),
        ("2-0", {"type": "text-delta", "id": "t1", "delta": "world"}),
        ("3-0", {"type": "text-end", "id": "t1"}),
        ("3-1", {"type": "tool-input-start", "toolCallId": "c1", "toolName": "executeSQL"}),
        (
            "3-2",
            {
                "type": "tool-input-available",
                "toolCallId": "c1",
                "toolName": "executeSQL",
                "input": {"sql": "SELECT 1"},
            },
        ),
        ("4-0", {"type": "finish"}),
        ("4-1", "[DONE]"),
    ]


def test_restart_closes_the_old_part_and_the_new_attempt_opens_another() -> None:
    frames = _frames(
        [
            TextDeltaEvent(seq=1, part_id="text-1-1", delta="a"),
            RestartEvent(seq=2, attempt=2),
            TextDeltaEvent(seq=3, attempt=2, part_id="text-2-1", delta="b"),
        ]
    )
    kinds = [(i, p["type"]) for i, p in frames if isinstance(p, dict)]
    assert kinds == [
        ("1-0", "text-start"),
        ("1-1", "text-delta"),
        ("2-0", "text-end"),
        ("2-1", "data-restart"),
        ("3-0", "text-start"),
        ("3-1", "text-delta"),
    ]


def test_error_event_ends_with_envelope_finish_and_done() -> None:
    frames = _frames([ErrorEvent(seq=1, code="timeout", message="too slow")])
    assert frames[0][1]["type"] == "error"  # type: ignore[index]
    assert '"error":"timeout"' in frames[0][1]["errorText"]  # type: ignore[index]
    assert '"requestId":"req"' in frames[0][1]["errorText"]  # type: ignore[index]
    assert [f[1] for f in frames[1:]] == [{"type": "finish"}, "[DONE]"]


def test_frames_depend_only_on_the_previous_event() -> None:
    a = TextDeltaEvent(seq=5, part_id="t", delta="x")
    b = TextDeltaEvent(seq=6, part_id="t", delta="y")
    assert frames_for_event(b, a, "r") == frames_for_event(b, a.model_copy(), "r")
    assert [f.payload["type"] for f in frames_for_event(b, None, "r")] == [  # type: ignore[index]
        "text-start",
        "text-delta",
    ]


def test_frame_ids_parse_and_start_is_0_0() -> None:
    assert start_frame("r").id == "0-0"
    assert parse_frame_id("12-3") == (12, 3)
    for bad in ("", "12", "a-1", "1-b", "-1-2"):
        assert parse_frame_id(bad) is None
