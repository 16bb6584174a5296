"""``/docs`` is served by Atlas alone (issue 22: it loaded Swagger UI from a CDN and was blank
offline): the HTML references only same-origin URLs, those assets are served, nothing else of
the package's folder is, and in real Chromium the page renders the operations without one
request leaving the gateway's origin."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.test_admin_page import CHROMIUM_ARGS, chromium  # noqa: F401 - the fixture


def _referenced(html: str) -> list[str]:
    """Every URL the page names: src / href attributes and quoted URLs in its script."""
    attributes = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    in_script = re.findall(r"""url:\s*['"]([^'"]+)['"]""", html)
    return attributes + in_script


def test_the_docs_page_references_only_its_own_origin(gateway: str) -> None:
    page = httpx.get(gateway + "/docs", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = _referenced(page.text)
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls), urls
    assert "/api/v1/openapi.json" in urls
    assert "http://" not in page.text and "https://" not in page.text
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        served = httpx.get(gateway + url, timeout=10)
        assert served.status_code == 200 and served.content, url
    css = httpx.get(gateway + "/docs/assets/swagger-ui.css", timeout=10)
    assert css.headers["content-type"].startswith("text/css")
    js = httpx.get(gateway + "/docs/assets/swagger-ui-bundle.js", timeout=10)
    assert "javascript" in js.headers["content-type"] and len(js.content) > 500_000


@pytest.mark.parametrize("path", [
    "/docs/assets/swagger-editor-bundle.js",  # in the package's folder, not the page's
    "/docs/assets/index.css",
    "/docs/assets/../__init__.py",
    "/docs/assets/%2E%2E/__init__.py",
    "/docs/assets/nothing.js",
])
def test_nothing_else_is_served_from_the_assets(gateway: str, path: str) -> None:
    assert httpx.get(gateway + path, timeout=10).status_code == 404


def test_swagger_ui_renders_offline_in_chromium(
    gateway: str,
    chromium: Path,  # noqa: F811 - installs Debian's chromium when it is missing
) -> None:
    origin = urlsplit(gateway).netloc
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: foreign.append(r.url)
                    if urlsplit(r.url).netloc not in ("", origin) else None)
            page.goto(gateway + "/docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Atlas API",
                                                                              timeout=15_000)
            expect(page.locator(".opblock-summary-path").first).to_be_visible()
        finally:
            browser.close()
    assert foreign == []
