"""Redis names of one request's stream. Every name starts with ``ATLAS_REDIS_PREFIX``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StreamKeys:
    prefix: str
    request_id: str

    @property
    def channel(self) -> str:
        return f"{self.prefix}stream:{self.request_id}"

    @property
    def seq(self) -> str:
        return f"{self.channel}:seq"

    @property
    def attempt(self) -> str:
        return f"{self.channel}:attempt"

    @property
    def buffer(self) -> str:
        return f"{self.channel}:buffer"

    @property
    def terminal(self) -> str:
        return f"{self.channel}:terminal"

    @property
    def cancel(self) -> str:
        return f"{self.channel}:cancel"

    @property
    def writes(self) -> str:
        """Per writer, its latest write number and the seq it got: a write retried after its
        reply was lost (Redis went away mid-call) returns that seq instead of appending again."""
        return f"{self.channel}:writes"

    @property
    def owner(self) -> str:
        """Who may resume or stop the run (written by the gateway's run registry)."""
        return f"{self.prefix}run:{self.request_id}:owner"

    def all(self) -> list[str]:
        return [self.seq, self.attempt, self.buffer, self.terminal, self.cancel, self.owner,
                self.writes]


def cancel_channel(prefix: str) -> str:
    """One channel on which gateways tell workers to stop a request."""
    return f"{prefix}cancel"


def chat_latest_key(prefix: str, chat_id: str) -> str:
    """The request id of a chat's (or conversation's) latest run, for resume by chat id."""
    return f"{prefix}chat:{chat_id}:latest"
