"""The API keys page of the admin console (/admin/api-keys, clients/console) in real headless
Chromium (Debian's ``chromium``, driven by Playwright for Python through ``executable_path``;
never ``playwright install``), on the console tests' shared managed stack
(tests/e2e/console_support.py).

An admin signs in on the page, creates a key (shown once, copied with the button), the test uses
the key against the API, revokes it on the page (with the confirmation dialog) and sees 401.
Set ``ATLAS_UPDATE_SCREENSHOTS=1`` to refresh docs/images/admin-api-keys.png (and its dark twin,
admin-api-keys-dark.png) from this run.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.console_support import (  # noqa: F401 - the fixtures
    CHROMIUM_ARGS,
    PASSWORD,
    ConsoleSite,
    chromium_path,
    console_browser_fixture,
    console_page_fixture,
    console_site_fixture,
    screenshots,
    sign_in,
)

pytestmark = pytest.mark.timeout(900)  # a first run may install Chromium

__all__ = ["CHROMIUM_ARGS", "chromium"]  # other browser tests import these from here


@pytest.fixture(scope="session")
def chromium() -> Path:
    return chromium_path()


@pytest.fixture
def page(console_page: Page) -> Page:
    return console_page


@pytest.fixture
def site(console_site: ConsoleSite) -> ConsoleSite:
    return console_site


def tables(site: ConsoleSite, key: str) -> int:
    return httpx.get(site.url + "/api/v1/tables", headers={"authorization": f"Bearer {key}"},
                     timeout=10).status_code


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


def test_an_admin_creates_uses_and_revokes_a_key_in_the_page(page: Page, site: ConsoleSite,
                                                            tmp_path: Path) -> None:
    sign_in(page, site, "/admin/api-keys", "admin@example.com", "wrong password")
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

    screenshots(page, tmp_path, "admin-api-keys")


def test_a_non_admin_sees_that_the_page_is_for_admins(page: Page, site: ConsoleSite) -> None:
    r = httpx.post(site.url + "/api/admin/users", timeout=10,
                   headers={"authorization": f"Bearer {site.admin_token}"},
                   json={"email": "viewer@example.com", "name": "Vi", "password": PASSWORD,
                         "role": "viewer"})
    assert r.status_code == 201, r.text
    sign_in(page, site, "/admin/api-keys", "viewer@example.com")
    expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
    expect(page.get_by_role("button", name="Create key")).to_be_hidden()


def test_the_page_is_a_static_shell_with_a_strict_policy(site: ConsoleSite) -> None:
    r = httpx.get(site.url + "/admin/api-keys", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in r.text and "atlas_sk_" not in r.text
    script = re.search(r'<script type="module" crossorigin src="(/admin/assets/[^"]+\.js)"', r.text)
    assert script, r.text
    assert httpx.get(site.url + script.group(1), timeout=10).status_code == 200
    missing = httpx.get(site.url + "/admin/assets/..%2Fmain.py", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"

