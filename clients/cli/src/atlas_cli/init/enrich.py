"""``--enrich``: descriptions and synonyms for each entity and column, from the LLM the agent
is configured with (``ATLAS_PROVIDER``, ``ATLAS_MODEL`` and the provider's key or base URL).

One request per table, streamed (the OpenAI chat-completions or Anthropic messages API). What
is sent: table and column names, types, row counts, catalog comments and the sample values of
low-cardinality columns; never a credential. Synonyms are written the way the planner reads
them, as an ``Also X, Y.`` sentence in the description. A table the model fails on keeps its
generated text, with a note.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from rich.console import Console

from atlas_cli.init.llm import Endpoint, LlmError, endpoint_for
from atlas_cli.init.model import Document, Layer
from atlas_cli.init.settings import InitSettings

ENRICHED = "x-atlas-enriched"
_SYSTEM = (
    "You document database tables for a semantic layer that answers business questions. "
    'Reply with one JSON object only, no prose: {"description": "one or two sentences on '
    'what a row is and what the table is for", "synonyms": ["other names people use for '
    'these rows"], "columns": {"<column>": {"description": "one sentence", '
    '"synonyms": ["..."]}}}. At most 4 synonyms each, 1 to 3 words, no punctuation. '
    "Say only what the names, types and values support."
)
_MAX_SYNONYMS = 4


class Enricher:
    def __init__(self, settings: InitSettings, console: Console) -> None:
        self.settings = settings
        self.console = console
        self.notes: list[str] = []
        self.endpoint: Endpoint | None = endpoint_for(settings)

    def __call__(self, layer: Layer) -> None:
        if self.endpoint is None:
            self.notes.append(
                "--enrich: no LLM provider is configured (ATLAS_PROVIDER, "
                "ATLAS_MODEL, as for the agent): descriptions left as generated"
            )
            return
        with httpx.Client(timeout=self.settings.provider_timeout_s) as client:
            for doc in layer.entities():
                if not self._one(client, doc):
                    break

    def _one(self, client: httpx.Client, doc: Document) -> bool:
        """Enrich one entity; False when the provider is unusable (stop asking)."""
        assert self.endpoint is not None
        name = doc.data["name"]
        try:
            reply = self.endpoint.ask(client, _SYSTEM, prompt(doc))
            apply(doc, parse(reply), self.endpoint.label)
        except LlmError as exc:
            self.notes.append(f"--enrich: {name}: {exc}")
            return not exc.fatal
        return True


def prompt(doc: Document) -> str:
    data = doc.data
    lines = [
        f"Table {data['table']} ({data.get('x-atlas-rows', '?')} rows): "
        f"{data.get('description', '')}",
        "Columns:",
    ]
    for dim in data["dimensions"]:
        if dim.get("virtual"):
            continue
        samples = ", ".join(str(v) for v in dim.get("sample_values", [])[:8])
        note = f" - {dim.get('description')}" if dim.get("description") else ""
        lines.append(
            f"- {dim['name']} ({dim['type']}){note}" + (f"; values: {samples}" if samples else "")
        )
    joins = [f"{j['target_entity']} ({j['relationship']})" for j in data.get("joins", [])]
    if joins:
        lines.append("Related: " + ", ".join(joins))
    return "\n".join(lines)


def parse(reply: str) -> dict[str, Any]:
    """The JSON object in the reply (models wrap it in prose or fences despite being asked)."""
    start, end = reply.find("{"), reply.rfind("}")
    if start < 0 or end <= start:
        raise LlmError("the reply holds no JSON object")
    try:
        found = json.loads(reply[start : end + 1])
    except json.JSONDecodeError as exc:
        raise LlmError(f"the reply is not valid JSON ({exc.msg})") from None
    if not isinstance(found, dict):
        raise LlmError("the reply is not a JSON object")
    return found


def apply(doc: Document, reply: dict[str, Any], label: str) -> None:
    data = doc.data
    described = _text(reply.get("description"))
    if described:
        data["description"] = _with_synonyms(described, reply.get("synonyms"))
    columns = reply.get("columns")
    for dim in data["dimensions"]:
        found = columns.get(dim["name"]) if isinstance(columns, dict) else None
        text = _text(found.get("description")) if isinstance(found, dict) else ""
        if text and isinstance(found, dict):
            known = dim.get("description")
            dim["description"] = _with_synonyms(
                f"{known} {text}" if known else text, found.get("synonyms")
            )
    data[ENRICHED] = label
    doc.guesses.append(f"descriptions and synonyms written by {label} (--enrich)")


def _text(value: Any) -> str:
    return " ".join(str(value).split())[:400] if isinstance(value, str) else ""


def _with_synonyms(text: str, synonyms: Any) -> str:
    text = text if text.endswith((".", "!", "?")) else text + "."
    words = (
        [s for s in (_text(v) for v in synonyms) if _plain(s)] if isinstance(synonyms, list) else []
    )
    words = list(dict.fromkeys(words))[:_MAX_SYNONYMS]
    return f"{text} Also {', '.join(words)}." if words else text


def _plain(synonym: str) -> bool:
    """What the planner's ``Also X, Y.`` reader can take: 1 to 3 words, no punctuation."""
    return 0 < len(synonym.split()) <= 3 and not any(c in synonym for c in ".,;:()\"'")
