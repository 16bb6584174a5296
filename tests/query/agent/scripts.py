"""A FunctionModel that plays a script: text replies streamed word by word, or tool calls."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelRequest, RetryPromptPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel


@dataclass
class Tool:
    name: str
    args: dict[str, Any] = field(default_factory=dict)


Step = str | Tool | list[Tool] | tuple[str, Tool] | Exception


@dataclass
class Script:
    steps: list[Step]
    seen: list[list[ModelMessage]] = field(default_factory=list)

    @property
    def model(self) -> FunctionModel:
        return FunctionModel(stream_function=self._stream, model_name="scripted")

    async def _stream(
        self, messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaToolCalls]:
        self.seen.append(list(messages))
        step = self.steps[min(len(self.seen), len(self.steps)) - 1]
        if isinstance(step, Exception):
            raise step
        text, calls = _split(step)
        for word in re.findall(r"\S+\s*", text):
            yield word
        if not calls:
            return
        n = len(self.seen)
        yield {
            i: DeltaToolCall(name=c.name, json_args=json.dumps(c.args), tool_call_id=f"c{n}-{i}")
            for i, c in enumerate(calls)
        }

    def returns(self, request: int) -> list[ToolReturnPart | RetryPromptPart]:
        """What the tools sent back to the model, as seen by request number ``request``."""
        last = self.seen[request][-1]
        assert isinstance(last, ModelRequest)
        return [p for p in last.parts if isinstance(p, ToolReturnPart | RetryPromptPart)]


def _split(step: Step) -> tuple[str, list[Tool]]:
    if isinstance(step, str):
        return step, []
    if isinstance(step, tuple):
        return step[0], [step[1]]
    assert not isinstance(step, Exception)
    return "", step if isinstance(step, list) else [step]
