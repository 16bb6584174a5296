"""Error codes are one closed list: every code the code raises is in ``ErrorCode``, which is
the list docs/architecture.md documents, and both SDKs know each of them."""

from __future__ import annotations

import re
from pathlib import Path

from atlas_sdk._errors import APIError, error_class

from atlas_common.errors import ERROR_CODES, Unavailable

ROOT = Path(__file__).resolve().parents[2]
#: ``code = "x"``, ``code: ErrorCode = "x"``, ``code="x"`` and ``code == "x"`` in the code.
_RAISED = re.compile(r"""\bcode\s*(?::\s*ErrorCode\s*)?(?:=|==)\s*["']([a-z_]+)["']""")


def _raised_codes() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in (ROOT / "services", ROOT / "libs"):
        for path in root.glob("*/src/**/*.py"):
            for code in _RAISED.findall(path.read_text()):
                found.setdefault(code, path)
    return found


def _documented() -> set[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    listing = section.split("\n\n")[2]  # the paragraph of codes
    return set(re.findall(r"`([a-z_]+)`", listing))


def _typescript_codes() -> set[str]:
    text = (ROOT / "clients" / "typescript" / "src" / "errors.ts").read_text()
    union = text.split("export type AtlasErrorCode =", 1)[1].split(";", 1)[0]
    return set(re.findall(r'"([a-z_]+)"', union))


def test_every_code_raised_is_an_error_code() -> None:
    raised = _raised_codes()
    assert len(raised) >= 10, "the scan found too few codes to be looking at the right files"
    unknown = {code: str(path) for code, path in raised.items() if code not in ERROR_CODES}
    assert not unknown


def test_the_error_codes_are_the_documented_list() -> None:
    assert _documented() == set(ERROR_CODES)


def test_both_sdks_know_every_code() -> None:
    assert set(ERROR_CODES) <= _typescript_codes()
    generic = [c for c in ERROR_CODES if error_class(c, None) is APIError]
    assert not generic, f"the Python SDK maps these to no specific class: {generic}"


def test_unavailable_says_when_to_retry_in_header_and_body() -> None:
    err = Unavailable("down", retry_after=7)
    assert err.headers["Retry-After"] == "7" and err.extra["retryAfterSeconds"] == 7
