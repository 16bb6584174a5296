"""The verification snippets of docs/scheduled-reports.md, as the docs show them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[3] / "docs" / "scheduled-reports.md"


def snippet(language: str) -> str:
    text = DOC.read_text()
    marker = text.index(f"<!-- verify-snippet:{language}")
    found = re.search(r"```\w+\n(.*?)```", text[marker:], re.S)
    assert found, f"no code block after the {language} marker"
    return found.group(1)


def python_verifier() -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(snippet("python"), str(DOC), "exec"), namespace)  # the doc's own code
    return namespace["verify_atlas_webhook"]
