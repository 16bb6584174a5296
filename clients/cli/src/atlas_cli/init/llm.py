"""The smallest client of the two chat APIs the agent's providers speak, streamed.

``openai``, ``openai-compatible`` and ``ollama`` use chat completions (``{base}/chat/
completions``, the base including ``/v1`` as OPENAI_BASE_URL does); ``anthropic`` uses
messages (``{base}/v1/messages``). Streaming is asked for, and the text deltas joined.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from atlas_cli.init.settings import InitSettings

#: The agent's defaults (atlas_query.agent.settings.DEFAULT_MODELS), for the same variables.
DEFAULT_MODELS = {"anthropic": "claude-sonnet-4-6", "openai": "gpt-5.6-terra", "ollama": "llama3.1"}
_MAX_TOKENS = 2000


class LlmError(Exception):
    """One line; ``fatal`` when asking again for the next table is pointless."""

    def __init__(self, message: str, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


@dataclass(frozen=True)
class Endpoint:
    kind: str  # "openai" (chat completions) or "anthropic" (messages)
    base_url: str
    model: str
    label: str  # provider:model, for notes and headers
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def ask(self, client: httpx.Client, system: str, user: str) -> str:
        url, body = self._request(system, user)
        try:
            with client.stream("POST", url, json=body, headers=self.headers) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _status_error(response)
                return "".join(self._deltas(response.iter_lines()))
        except httpx.TimeoutException:
            raise LlmError(f"{self.label} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise LlmError(f"{self.label} unreachable ({type(exc).__name__})", True) from None

    def _request(self, system: str, user: str) -> tuple[str, dict[str, Any]]:
        if self.kind == "anthropic":
            return f"{self.base_url}/v1/messages", {
                "model": self.model,
                "max_tokens": _MAX_TOKENS,
                "stream": True,
                "system": system,
                "messages": [{"role": "user", "content": user}],
            }
        return f"{self.base_url}/chat/completions", {
            "model": self.model,
            "stream": True,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        }

    def _deltas(self, lines: Iterator[str]) -> Iterator[str]:
        for line in lines:
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                return
            try:
                event = json.loads(payload)
            except ValueError:
                raise LlmError(f"{self.label} sent a malformed stream") from None
            yield _delta(event)


def _delta(event: Any) -> str:
    if not isinstance(event, dict):
        return ""
    if event.get("type") == "content_block_delta":
        return str(event.get("delta", {}).get("text", ""))
    for choice in event.get("choices") or []:
        content = (choice.get("delta") or {}).get("content")
        if content:
            return str(content)
    return ""


def _status_error(response: httpx.Response) -> LlmError:
    fatal = response.status_code in (401, 403, 404)
    return LlmError(f"the provider answered HTTP {response.status_code}", fatal)


def endpoint_for(settings: InitSettings) -> Endpoint | None:
    """The endpoint the settings name, or None when no provider is configured."""
    provider = settings.provider
    model = settings.model or DEFAULT_MODELS.get(provider or "")
    if provider is None or not model:
        return None
    label = f"{provider}:{model}"
    if provider == "anthropic":
        if settings.anthropic_api_key is None:
            return None
        root = (settings.anthropic_base_url or "https://api.anthropic.com").rstrip("/")
        headers = {
            "x-api-key": settings.anthropic_api_key.get_secret_value(),
            "anthropic-version": "2023-06-01",
        }
        return Endpoint("anthropic", root, model, label, headers)
    base, key = _openai_base(settings)
    if base is None:
        return None
    bearer = {"Authorization": f"Bearer {key}"} if key else {}
    return Endpoint("openai", base.rstrip("/"), model, label, bearer)


def _openai_base(settings: InitSettings) -> tuple[str | None, str | None]:
    if settings.provider == "openai":
        key = settings.openai_api_key
        base = settings.openai_base_url or "https://api.openai.com/v1"
        return (base if key else None), (key.get_secret_value() if key else None)
    if settings.provider == "ollama":
        return settings.ollama_base_url.rstrip("/") + "/v1", None
    key = settings.openai_compatible_api_key
    return settings.openai_compatible_base_url, (key.get_secret_value() if key else None)
