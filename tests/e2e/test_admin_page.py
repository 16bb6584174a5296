"""The /admin/api-keys page in real headless Chromium (Debian's ``chromium``, driven by
Playwright for Python through ``executable_path``; never ``playwright install``).

An admin signs in on the page, creates a key (shown once, copied with the button), the test uses
the key against the API, revokes it on the page (with the confirmation dialog) and sees 401.
Set ``ATLAS_UPDATE_SCREENSHOTS=1`` to refresh docs/images/admin-api-keys.png from this run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.isolation import Isolation
from tests.support.stack import Stack

pytestmark = pytest.mark.timeout(900)  # a first run may install Chromium

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "images" / "admin-api-keys.png"
PASSWORD = "a long enough password"
ADMIN = {"email": "admin@example.com", "password": PASSWORD, "name": "Ada Admin"}


def _install_chromium() -> None:
    """Debian's chromium through apt; an out-of-date package list is refreshed once."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "chromium"]
    for step in (install, ["apt-get", "update", "-q"], install):
        done = subprocess.run(step, env=env, capture_output=True, timeout=600, check=False)
        if step is install and done.returncode == 0:
            return


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if shutil.which("apt-get") is None:
            pytest.fail("/usr/bin/chromium is missing and apt-get is not available to install it")
        _install_chromium()
    if not CHROMIUM.exists():
        pytest.fail("could not install Debian's chromium (apt-get install -y chromium)")
    return CHROMIUM


@dataclass
class Site:
    url: str
    admin_token: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    iso = Isolation().create()
    directory = tmp_path_factory.mktemp("admin-page")
    stack = Stack({**iso.env(), "ATLAS_DEMO_DB_PATH": str(directory / "demo.duckdb")},
                  directory)
    try:
        stack.start_keys({"ATLAS_KEYS_LAST_USED_FLUSH_S": "0.5"})
        stack.start_auth({"ATLAS_AUTH_MODE": "managed", "BETTER_AUTH_SECRET": "p" * 40,
                          "ATLAS_AUTH_ARGON2_TIME_COST": "1",
                          "ATLAS_AUTH_ARGON2_MEMORY_KIB": "8192"})
        stack.start_query_api()
        url = stack.start_gateway()
        r = httpx.post(url + "/api/auth/sign-up/email", json=ADMIN, timeout=10)
        assert r.status_code == 200, r.text
        yield Site(url, r.json()["token"])
    finally:
        stack.stop_all()
        iso.remove()


@pytest.fixture(scope="module")
def browser(chromium: Path, site: Site) -> Iterator[Browser]:
    # After the stack: Playwright's sync API keeps an event loop running in this thread, and
    # the isolation helpers use asyncio.run (so the stack is also stopped after the browser).
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 760},
                                  permissions=["clipboard-read", "clipboard-write"])
    opened = context.new_page()
    yield opened
    context.close()


def tables(site: Site, key: str) -> int:
    return httpx.get(site.url + "/api/v1/tables", headers={"authorization": f"Bearer {key}"},
                     timeout=10).status_code


def sign_in(page: Page, site: Site, email: str, password: str = PASSWORD) -> None:
    page.goto(site.url + "/admin/api-keys")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def create_key(page: Page, name: str, *, expiry: str = "Never", role: str = "Analyst") -> str:
    page.get_by_role("button", name="Create key").click()
    dialog = page.get_by_role("dialog", name="Create API key")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Expires").select_option(label=expiry)
    dialog.get_by_label("Role").select_option(label=role)
    dialog.get_by_role("button", name="Create key").click()
    shown = page.get_by_role("dialog", name="Your new API key")
    expect(shown).to_be_visible()
    expect(shown).to_contain_text("It will not be shown again")
    key = shown.get_by_role("textbox").input_value()
    assert re.fullmatch(r"atlas_sk_[0-9a-f]{16}_[0-9A-Za-z]{49}", key)
    shown.get_by_role("button", name="Copy").click()
    expect(shown.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    shown.get_by_role("button", name="I have copied it").click()
    expect(shown).to_be_hidden()
    return key


def test_an_admin_creates_uses_and_revokes_a_key_in_the_page(page: Page, site: Site,
                                                            tmp_path: Path) -> None:
    sign_in(page, site, "admin@example.com", "wrong password")
    expect(page.get_by_role("alert").filter(has_text="Invalid email or password")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    expect(page.get_by_text("admin@example.com")).to_be_visible()

    key = create_key(page, "Browser test key", expiry="In 30 days", role="Viewer")
    assert key not in page.content()  # the key left the page with its dialog
    row = page.get_by_role("row").filter(has_text="Browser test key")
    expect(row).to_contain_text(f"atlas_sk_{key[9:15]}…")
    expect(row).to_contain_text("Viewer")
    expect(row).to_contain_text("Active")
    assert tables(site, key) == 200  # the test uses the key against the API

    create_key(page, "Reporting SDK")
    row.get_by_role("button", name="Revoke key Browser test key").click()
    confirm = page.get_by_role("dialog", name="Revoke API key?")
    expect(confirm).to_contain_text("Browser test key")
    confirm.get_by_role("button", name="Revoke key").click()
    expect(confirm).to_be_hidden()
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button")).to_have_count(0)
    assert tables(site, key) == 401

    page.screenshot(path=str(screenshot_path(tmp_path)), full_page=True)


def screenshot_path(tmp_path: Path) -> Path:
    if os.environ.get("ATLAS_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        return SCREENSHOT
    return tmp_path / "admin-api-keys.png"


def test_a_non_admin_sees_that_the_page_is_for_admins(page: Page, site: Site) -> None:
    r = httpx.post(site.url + "/api/admin/users", timeout=10,
                   headers={"authorization": f"Bearer {site.admin_token}"},
                   json={"email": "viewer@example.com", "name": "Vi", "password": PASSWORD,
                         "role": "viewer"})
    assert r.status_code == 201, r.text
    sign_in(page, site, "viewer@example.com")
    expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
    expect(page.get_by_role("button", name="Create key")).to_be_hidden()


def test_the_page_is_a_static_shell_with_a_strict_policy(site: Site) -> None:
    r = httpx.get(site.url + "/admin/api-keys", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in r.text and "atlas_sk_" not in r.text
    assert httpx.get(site.url + "/admin/static/api-keys.js", timeout=10).status_code == 200
    missing = httpx.get(site.url + "/admin/static/..%2Fmain.py", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
