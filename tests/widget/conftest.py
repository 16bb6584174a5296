"""Fixtures of the browser tests: one managed stack for the package, one Chromium (Debian's,
driven by Playwright as tests/e2e/test_admin_page.py does), the built widget."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.e2e.test_admin_page import CHROMIUM_ARGS, chromium  # noqa: F401 - the fixture
from tests.widget.site import Site, managed_site

ROOT = Path(__file__).resolve().parents[2]
WIDGET_DIST = ROOT / "clients" / "widget" / "dist"


def _newest_source(workspace: str) -> float:
    folders = [ROOT / workspace / "src", ROOT / "clients" / "react" / "src"]
    return max(p.stat().st_mtime for folder in folders for p in folder.rglob("*") if p.is_file())


def build(workspace: str, marker: Path) -> None:
    """Build a workspace when `make install` has not, or its sources (or the React package's,
    which every app here bundles) changed since: the browser must run the code under test."""
    if not marker.exists() or marker.stat().st_mtime < _newest_source(workspace):
        subprocess.run(
            ["npm", "run", "build", "-w", workspace],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    build("clients/widget", WIDGET_DIST / "widget.js")
    with managed_site(tmp_path_factory.mktemp("widget-site")) as running:
        yield running


@pytest.fixture(scope="package")
def browser(chromium: Path, site: Site) -> Iterator[Browser]:  # noqa: F811 - the imported fixture
    # After the stack, so the stack stops after the browser (see test_admin_page.py).
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Console:
    """Errors the page and its frames printed or threw."""

    errors: list[str] = field(default_factory=list)

    def on_message(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1200, "height": 800}, permissions=["clipboard-read", "clipboard-write"]
    )
    opened = context.new_page()
    opened.on("console", console.on_message)
    opened.on("pageerror", lambda error: console.errors.append(f"uncaught: {error}"))
    yield opened
    context.close()
