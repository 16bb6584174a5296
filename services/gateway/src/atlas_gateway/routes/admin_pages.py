"""The admin pages: static HTML, CSS and JavaScript, no build step.

The shells are public (ARCHITECTURE.md): they hold no data. Their script signs in through
``/api/auth/sign-in/email`` (the session cookie) and reads everything from the authenticated
APIs on the same origin, so the role table guards the data, not the page. A strict Content
Security Policy allows only this origin's scripts and styles (no inline code), and no framing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, Response

from atlas_common.errors import NotFound

router = APIRouter(include_in_schema=False)

STATIC: Final = Path(__file__).resolve().parent.parent / "static" / "admin"
_TYPES: Final = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
_SECURITY: Final = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
#: The only files served: read once, so no request can name a path on disk.
_ASSETS: Final = {
    path.name: (path.read_bytes(), _TYPES[path.suffix])
    for path in sorted(STATIC.iterdir())
    if path.suffix in _TYPES
}
_API_KEYS_PAGE: Final = (STATIC / "api-keys.html").read_bytes()


@router.get("/admin/api-keys")
async def api_keys_page() -> Response:
    return Response(
        _API_KEYS_PAGE,
        media_type="text/html; charset=utf-8",
        headers={**_SECURITY, "cache-control": "no-store"},
    )


@router.get("/admin/static/{name}")
async def admin_asset(name: str) -> Response:
    asset = _ASSETS.get(name)
    if asset is None:
        raise NotFound(f"No admin file {name!r}")
    content, media_type = asset
    headers = {**_SECURITY, "cache-control": "no-cache"}
    return Response(content, media_type=media_type, headers=headers)
