"""The built files of the widget and the chat page (``ATLAS_WIDGET_DIR``), held in memory.

The files are read once, on the first request that finds them, so no request can name a path
on disk, and a gateway started before the build still serves them once they exist.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from atlas_common.errors import NotFound

_TYPES: Final = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
}
_NOT_BUILT: Final = "The widget is not built (run `make install`, or set ATLAS_WIDGET_DIR)."


@dataclass(frozen=True)
class Asset:
    content: bytes
    media_type: str
    etag: str


def _asset(path: Path) -> Asset:
    content = path.read_bytes()
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    return Asset(content, _TYPES[path.suffix], etag)


class WidgetFiles:
    """The built files, read again only when a new build replaced ``widget.js`` (one stat per
    request; the files themselves stay in memory)."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._files: dict[str, Asset] = {}
        self._version = -1

    def get(self, name: str) -> Asset:
        asset = self._current().get(name)
        if asset is None:
            raise NotFound(f"No widget file {name!r}")
        return asset

    def _current(self) -> dict[str, Asset]:
        try:
            version = (self._directory / "widget.js").stat().st_mtime_ns
        except OSError:
            raise NotFound(_NOT_BUILT) from None
        if version != self._version:
            self._files, self._version = self._load(), version
        return self._files

    def _load(self) -> dict[str, Asset]:
        files = {p.name: _asset(p) for p in self._directory.glob("*") if p.suffix in _TYPES}
        assets = self._directory / "assets"
        if assets.is_dir():
            files |= {f"assets/{p.name}": _asset(p) for p in assets.iterdir() if p.suffix in _TYPES}
        return files
