"""Shared fixtures of the admin console's browser tests (clients/console in Debian's Chromium,
driven by Playwright for Python through ``executable_path``; never ``playwright install``).

One managed stack per session for every console test: auth (managed), keys, entitlements with
a plans file, query-api, one worker (the semantic answerer), the audit service and a gateway
serving the console built from the working tree. Row-level security governs ``categories``
(claim ``division``, which no test user has), so a question about categories fails: the
audit trail gets an error row.

A test module imports the fixtures it uses (``console_site_fixture``,
``console_browser_fixture``, ``console_page_fixture``: fixtures ``console_site``,
``console_browser``, ``console_page``). Imported into several modules, each module gets its
own fixture definition, so the stack is kept here once and stopped when the last module's
fixture ends (a session-scoped fixture per module would start a second stack). The browser is
one per module: Playwright's event loop must be gone before any other module's stack starts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.isolation import Isolation
from tests.support.stack import Stack, wait_for_workers

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_DIST = ROOT / "clients" / "console" / "dist"
IMAGES = ROOT / "docs" / "images"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PASSWORD = "a long enough password"
ADMIN = {"email": "admin@example.com", "password": PASSWORD, "name": "Ada Admin"}
PLANS = """
features:
  query:      {type: boolean}
  sso:        {type: boolean}
  queries:    {type: metered, unit: question, reset: month}
  llm-tokens: {type: metered, unit: token, reset: month}
  api-keys:   {type: gauge}
plans:
  team:
    default: true
    features: {query: true, sso: false, queries: {limit: 50}, llm-tokens: {limit: 5000},
               api-keys: {limit: 10}}
"""
#: A question about this table is refused by row-level security (an audited error).
RLS = [{"tables": ["categories"], "column": "name", "claim": "division"}]


@dataclass
class ConsoleSite:
    url: str
    #: The admin's session token (Bearer), for API calls next to the browser.
    admin_token: str
    stack: Stack

    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.admin_token}"}


def _newest_source() -> float:
    folders = [ROOT / "clients" / "console" / "src", ROOT / "clients" / "react" / "src",
               ROOT / "clients" / "typescript" / "src"]
    return max(p.stat().st_mtime for folder in folders for p in folder.rglob("*") if p.is_file())


def build_console() -> None:
    """Build the console when `make install` has not, or its sources (or the packages it
    bundles) changed since: the browser must run the code under test."""
    marker = CONSOLE_DIST / "index.html"
    if not marker.exists() or marker.stat().st_mtime < _newest_source():
        subprocess.run(["npm", "run", "build", "-w", "clients/console"], cwd=ROOT, check=True,
                       capture_output=True, timeout=300)


def chromium_path() -> Path:
    """Debian's chromium, installed through apt when missing (a stale package list refreshed)."""
    if not CHROMIUM.exists():
        if shutil.which("apt-get") is None:
            pytest.fail("/usr/bin/chromium is missing and apt-get is not available to install it")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "chromium"]
        for step in (install, ["apt-get", "update", "-q"], install):
            done = subprocess.run(step, env=env, capture_output=True, timeout=600, check=False)
            if step is install and done.returncode == 0:
                break
    if not CHROMIUM.exists():
        pytest.fail("could not install Debian's chromium (apt-get install -y chromium)")
    return CHROMIUM


class _Shared:
    """The session's stack, counted by the fixtures that hold it."""

    site: ConsoleSite | None = None
    iso: Isolation | None = None
    site_users = 0


def _start_site(directory: Path) -> ConsoleSite:
    build_console()
    iso = Isolation().create()
    _Shared.iso = iso
    (directory / "plans.yaml").write_text(PLANS)
    stack = Stack({**iso.env(), "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb"),
                   "ATLAS_PLANS_FILE": str(directory / "plans.yaml"),
                   "ATLAS_RLS_POLICIES": json.dumps(RLS),
                   "ATLAS_QUERY_DEADLINE_S": "60",
                   "ATLAS_WORKER_HEARTBEAT_PATH": str(directory / "heartbeat")}, directory)
    try:
        stack.start_entitlements()  # first: keys (the api-keys limit) and auth find it
        stack.start_keys({"ATLAS_KEYS_LAST_USED_FLUSH_S": "0.5"})
        stack.start_auth({"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": "p" * 40,
                          "ATLAS_AUTH_ARGON2_TIME_COST": "1",
                          "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192"})
        stack.start_query_api()
        stack.start_audit()
        stack.start("atlas-query-worker", "worker-1")
        url = stack.start_gateway()
        wait_for_workers(url)
        r = httpx.post(url + "/api/auth/sign-up/email", json=ADMIN, timeout=10)
        assert r.status_code == 200, r.text
        return ConsoleSite(url, r.json()["token"], stack)
    except BaseException:
        stack.stop_all()
        iso.remove()
        raise


@pytest.fixture(scope="session", name="console_site")
def console_site_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleSite]:
    if _Shared.site is None:
        _Shared.site = _start_site(tmp_path_factory.mktemp("console"))
    _Shared.site_users += 1
    yield _Shared.site
    _Shared.site_users -= 1
    if _Shared.site_users == 0:
        _Shared.site.stack.stop_all()
        if _Shared.iso is not None:
            _Shared.iso.remove()
        _Shared.site = _Shared.iso = None


@pytest.fixture(scope="module", name="console_browser")
def console_browser_fixture(console_site: ConsoleSite) -> Iterator[Browser]:
    # After the stack, and one per module: Playwright's sync API keeps an event loop running
    # in this thread, and the isolation helpers use asyncio.run, so a browser left open past
    # its module would break the next module that starts its own stack (test_admin_page.py).
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium_path()),
                                              headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(name="console_page")
def console_page_fixture(console_browser: Browser) -> Iterator[Page]:
    context = console_browser.new_context(viewport={"width": 1280, "height": 800},
                                          permissions=["clipboard-read", "clipboard-write"])
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Page, site: ConsoleSite, path: str = "/admin",
            email: str = ADMIN["email"], password: str = PASSWORD) -> None:
    page.goto(site.url + path)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def screenshots(page: Page, tmp_path: Path, name: str) -> None:
    """The page light, then dark (the console follows the system's colour scheme): into
    docs/images when ``ATLAS_UPDATE_SCREENSHOTS=1``, else into the test's directory."""
    folder = IMAGES if os.environ.get("ATLAS_UPDATE_SCREENSHOTS") == "1" else tmp_path
    schemes: tuple[tuple[Literal["light", "dark"], str], ...] = (("light", ""), ("dark", "-dark"))
    for scheme, suffix in schemes:
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=str(folder / f"{name}{suffix}.png"), full_page=True)
    page.emulate_media(color_scheme="light")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical violations of an axe-core run (which must have checked rules)."""
    page.evaluate(AXE.read_text())
    result: dict[str, Any] = page.evaluate(
        "async () => { const r = await axe.run(document); return {passes: r.passes.length,"
        " violations: r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target)}))}; }"
    )
    assert result["passes"] > 10
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
