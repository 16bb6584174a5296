"""Host pages and helpers shared by the widget's browser tests and its bench."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import FrameLocator, Page

from tests.widget.site import Site

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
DEMO_QUESTION = "How many users signed up last week?"


def seed_tag(api_url: str, key: str, extra: str = "") -> str:
    """The seed's script tag, verbatim but for the URL and the key (and extra attributes)."""
    return (
        f'<script src="{api_url}/widget.js"\n'
        f'        data-api-url="{api_url}" data-api-key="{key}"{extra}></script>'
    )


def host_page(
    site: Site, path: str, key: str, extra: str = "", before: str = "", api_url: str = ""
) -> str:
    tag = seed_tag(api_url or site.url, key, extra)
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<link rel="icon" href="data:,"><title>Acme store</title>'
        "<style>body{font-family:Georgia,serif;margin:40px} button{background:hotpink}</style>"
        "</head><body><main><h1>Acme store</h1><p>Questions about your shop's data? "
        f"Ask Atlas in the corner.</p></main>{before}\n{tag}\n"
        "</body></html>"
    )
    return site.host.put(path, body)


def panel(page: Page) -> FrameLocator:
    return page.frame_locator("iframe[title='Atlas chat']")


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    """Into docs/images/ when ATLAS_UPDATE_SCREENSHOTS=1, else into the test's tmp dir."""
    refresh = os.environ.get("ATLAS_UPDATE_SCREENSHOTS") == "1"
    target = (DOCS_IMAGES if refresh else tmp_path) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
