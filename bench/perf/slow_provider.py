"""A slow scripted OpenAI-compatible provider in a process of its own (bench/streams.py).

``python -m bench.perf.slow_provider PORT TOKENS INTERVAL_S``: every marked question (one
``[[key]]`` per question) is answered with ``TOKENS`` words, one every ``INTERVAL_S`` seconds
(the first after ``INTERVAL_S`` too): an LLM answer that keeps its stream open for about
``TOKENS x INTERVAL_S`` seconds; a key starting with ``warm`` gets one word at once (the
bench's warm-up), one starting with ``idle`` nothing for an hour (an idle stream). The server
is tests/e2e/agent/scripted.py's.
"""

from __future__ import annotations

import sys

from tests.e2e.agent.scripted import ScriptedProvider, Turn, say

#: The first word of an idle answer comes after an hour: its stream stays open and quiet.
IDLE = Turn(text=["Later."], first_delay_s=3600)


class _Special(dict[str, list[Turn]]):
    """Scripts by key prefix: ``warm`` a one-word answer at once (the bench's warm-up),
    ``idle`` nothing for an hour (an idle stream); any other key the default."""

    def get(self, key: str, default: object = None) -> list[Turn] | None:  # type: ignore[override]
        if key.startswith("warm"):
            return [say("Warm.")]
        return [IDLE] if key.startswith("idle") else None


def main() -> None:
    port, tokens, interval = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    turn = Turn(
        text=[f"word{i} " for i in range(tokens)], first_delay_s=interval, chunk_delay_s=interval
    )
    provider = ScriptedProvider(turn, port=port)
    provider.scripts = _Special()
    provider._server.config.backlog = 4096  # a burst of the workers' first requests
    provider._server.run()


if __name__ == "__main__":
    main()
