"""The widget and the chat page: the built files of ``clients/widget`` (``ATLAS_WIDGET_DIR``).

- ``GET /widget.js``: the script-tag loader; revalidated by ETag (``no-cache``), so a new
  release reaches every host page at once while an unchanged one costs a 304.
- ``GET /widget``: the iframe app. Its ``frame-ancestors`` follows ``ATLAS_CORS_ORIGIN``
  (this origin only when unset), the same list CORS lets in.
- ``GET /widget/assets/{name}``: content-hashed files, cached for a year (``immutable``).
- ``GET /``: the same chat full page (managed sign-in first), never framed.

All are public (ARCHITECTURE.md): they hold no data; the chat reads it from the
authenticated APIs. The files are read once, on the first request that finds them, so no
request can name a path on disk, and a gateway started before the build still serves them
once they exist.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Header, Response

from atlas_gateway.deps import State
from atlas_gateway.widget_files import Asset, WidgetFiles

router = APIRouter(include_in_schema=False)

_ORIGIN: Final = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+$")
_IMMUTABLE: Final = "public, max-age=31536000, immutable"
_BASE_SECURITY: Final = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def frame_ancestors(origins: list[str]) -> str:
    """``'self'`` plus the allowed origins; ``*`` lets any page frame the widget."""
    if "*" in origins:
        return "*"
    return " ".join(["'self'", *(o for o in origins if _ORIGIN.match(o))])


def _policy(ancestors: str) -> str:
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {ancestors}"
    )


def _files(state: State) -> WidgetFiles:
    return state.widget


Files = Annotated[WidgetFiles, Depends(_files)]
IfNoneMatch = Annotated[str | None, Header()]


def _serve(asset: Asset, if_none_match: str | None, headers: dict[str, str]) -> Response:
    headers = {**_BASE_SECURITY, **headers, "etag": asset.etag}
    if if_none_match and asset.etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(asset.content, media_type=asset.media_type, headers=headers)


@router.get("/widget.js")
async def loader(files: Files, if_none_match: IfNoneMatch = None) -> Response:
    headers = {"cache-control": "no-cache", "cross-origin-resource-policy": "cross-origin"}
    return _serve(files.get("widget.js"), if_none_match, headers)


@router.get("/widget")
async def widget_frame(state: State, files: Files, if_none_match: IfNoneMatch = None) -> Response:
    origins = state.settings.cors_origins
    headers = {
        "cache-control": "no-cache",
        "content-security-policy": _policy(frame_ancestors(origins)),
    }
    return _serve(files.get("widget.html"), if_none_match, headers)


@router.get("/widget/assets/{name}")
async def widget_asset(name: str, files: Files, if_none_match: IfNoneMatch = None) -> Response:
    headers = {"cache-control": _IMMUTABLE, "cross-origin-resource-policy": "cross-origin"}
    return _serve(files.get(f"assets/{name}"), if_none_match, headers)


@router.get("/")
async def chat_page(files: Files, if_none_match: IfNoneMatch = None) -> Response:
    headers = {
        "cache-control": "no-cache",
        "content-security-policy": _policy("'none'"),
        "x-frame-options": "DENY",
    }
    return _serve(files.get("index.html"), if_none_match, headers)
