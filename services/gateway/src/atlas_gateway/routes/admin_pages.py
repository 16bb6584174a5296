"""The admin console: the built files of ``clients/console`` (``ATLAS_CONSOLE_DIR``).

- ``GET /admin`` and ``GET /admin/{page}``: the app's HTML shell (client-side routing picks the
  page), revalidated by ETag (``no-cache``) so a new release is seen at once.
- ``GET /admin/assets/{name}``: content-hashed files, cached for a year (``immutable``).

The shell is public (ARCHITECTURE.md): it holds no data. The app signs in through
``/api/auth/sign-in/email`` (the session cookie) and reads everything from the authenticated
APIs on the same origin, so the role table guards the data, not the page. A strict Content
Security Policy allows only this origin's scripts and styles (no inline code), and no framing.
An unbuilt console answers 404 with a message saying how to build it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Header, Response

from atlas_common.errors import NotFound
from atlas_gateway.deps import State
from atlas_gateway.widget_files import Asset, ConsoleFiles

router = APIRouter(include_in_schema=False)

#: The app's pages besides the overview at /admin (clients/console/src/router.ts).
PAGES: Final = frozenset({"users", "api-keys", "semantic", "audit", "plans"})
_IMMUTABLE: Final = "public, max-age=31536000, immutable"
_SECURITY: Final = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@cache
def _console_files(directory: Path) -> ConsoleFiles:
    return ConsoleFiles(directory)


def _files(state: State) -> ConsoleFiles:
    return _console_files(state.settings.console_dir)


Files = Annotated[ConsoleFiles, Depends(_files)]
IfNoneMatch = Annotated[str | None, Header()]


def _serve(asset: Asset, if_none_match: str | None, cache_control: str) -> Response:
    headers = {**_SECURITY, "cache-control": cache_control, "etag": asset.etag}
    if if_none_match and asset.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(asset.content, media_type=asset.media_type, headers=headers)


@router.get("/admin")
async def console(files: Files, if_none_match: IfNoneMatch = None) -> Response:
    return _serve(files.get("index.html"), if_none_match, "no-cache")


@router.get("/admin/assets/{name}")
async def console_asset(name: str, files: Files, if_none_match: IfNoneMatch = None) -> Response:
    return _serve(files.get(f"assets/{name}"), if_none_match, _IMMUTABLE)


@router.get("/admin/{page}")
async def console_page(page: str, files: Files, if_none_match: IfNoneMatch = None) -> Response:
    if page not in PAGES:
        raise NotFound(f"No admin page {page!r}")
    return _serve(files.get("index.html"), if_none_match, "no-cache")
