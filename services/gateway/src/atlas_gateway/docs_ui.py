"""``/docs``: Swagger UI served by Atlas itself, from the ``swagger-ui-py`` package's copy of
the Swagger UI assets, so the page works where there is no internet (FastAPI's default page
loads them from a CDN). The page references only same-origin URLs; the validator badge is off
(it would send the document's URL to a third party)."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
# Only what the page loads: the package also ships Swagger Editor's bundles.
_SERVED = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "LICENSE"})


def assets_dir() -> Path:
    """The package's ``static`` folder, found without importing the package (its
    ``__init__`` sets up framework adapters Atlas does not use)."""
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


class _Assets(StaticFiles):
    """The Swagger UI files the page needs, and nothing else of the folder."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path not in _SERVED:
            return "", None
        return super().lookup_path(path)


def install_docs(app: FastAPI, openapi_url: str, title: str) -> None:
    app.mount(ASSETS_PATH, _Assets(directory=assets_dir()), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
