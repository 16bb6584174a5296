"""Built front-end files held in memory: the widget and chat page (``ATLAS_WIDGET_DIR``) and
the admin console (``ATLAS_CONSOLE_DIR``), one class for both.

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


@dataclass(frozen=True)
class Asset:
    content: bytes
    media_type: str
    etag: str


def _asset(path: Path) -> Asset:
    content = path.read_bytes()
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    return Asset(content, _TYPES[path.suffix], etag)


class BuiltFiles:
    """A build's files (top level and ``assets/``), read again only when a new build replaced
    ``marker`` (one stat per request; the files themselves stay in memory). Before the build,
    every request is a 404 whose message says how to build (``not_built``)."""

    def __init__(self, directory: Path, *, marker: str, what: str, not_built: str) -> None:
        self._directory = directory
        self._marker = marker
        self._what = what
        self._not_built = not_built
        self._files: dict[str, Asset] = {}
        self._version = -1

    def get(self, name: str) -> Asset:
        asset = self._current().get(name)
        if asset is None:
            raise NotFound(f"No {self._what} file {name!r}")
        return asset

    def _current(self) -> dict[str, Asset]:
        try:
            version = (self._directory / self._marker).stat().st_mtime_ns
        except OSError:
            raise NotFound(self._not_built) from None
        if version != self._version:
            self._files, self._version = self._load(), version
        return self._files

    def _load(self) -> dict[str, Asset]:
        files = {p.name: _asset(p) for p in self._directory.glob("*") if p.suffix in _TYPES}
        assets = self._directory / "assets"
        if assets.is_dir():
            files |= {f"assets/{p.name}": _asset(p) for p in assets.iterdir() if p.suffix in _TYPES}
        return files


class WidgetFiles(BuiltFiles):
    """The widget (``widget.js``, ``widget.html``) and the chat page (``index.html``)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            directory,
            marker="widget.js",
            what="widget",
            not_built="The widget is not built (run `make install`, or set ATLAS_WIDGET_DIR).",
        )


class ConsoleFiles(BuiltFiles):
    """The admin console (``index.html`` and its hashed ``assets/``)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(
            directory,
            marker="index.html",
            what="admin console",
            not_built="The admin console is not built (run `make install`, "
            "or set ATLAS_CONSOLE_DIR).",
        )
