"""The users, plans and API keys pages of the admin console (clients/console) in Debian's
Chromium, on the console tests' shared managed stack (tests/e2e/console_support.py: its
entitlements run a plans file).

An admin invites a user (the initial password is shown once and signs in), changes its role
(its next request has the new role) and deactivates it (it cannot sign in, its session ends);
an API error (an email already taken) is announced in the dialog's alert region; the dialogs
work by keyboard only (focus moves in, Tab wraps, Escape closes, focus goes back). The plans
page shows the plan of the plans file with the questions asked and the API keys counted. A
viewer is told the pages are for admins. axe-core finds no serious or critical violation on the
three pages, dialogs open included.
``ATLAS_UPDATE_SCREENSHOTS=1`` refreshes docs/images/admin-users*.png and admin-plans*.png
(the API keys page's are test_admin_page.py's).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.console_support import (  # noqa: F401 - the fixtures
    ADMIN,
    PASSWORD,
    ConsoleSite,
    axe_violations,
    console_browser_fixture,
    console_page_fixture,
    console_site_fixture,
    screenshots,
    sign_in,
)
from tests.e2e.test_admin_page import create_key, tables
from tests.support.polling import wait_for

pytestmark = pytest.mark.timeout(900)

GRACE = "grace@example.com"


@pytest.fixture
def page(console_page: Page) -> Page:
    return console_page


@pytest.fixture
def site(console_site: ConsoleSite) -> ConsoleSite:
    return console_site


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def password_sign_in(site: ConsoleSite, email: str, password: str) -> httpx.Response:
    return httpx.post(site.url + "/api/auth/sign-in/email", timeout=10,
                      json={"email": email, "password": password})


def role_of(site: ConsoleSite, token: str) -> str:
    r = httpx.get(site.url + "/api/v1/me", headers=_bearer(token), timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["role"])


def invite(page: Page, email: str, name: str, role: str) -> str:
    """Invite on the page; returns the initial password the dialog showed (and copied)."""
    page.get_by_role("button", name="Invite user").click()
    dialog = page.get_by_role("dialog", name="Invite user")
    dialog.get_by_label("Email").fill(email)
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Role").select_option(label=role)
    dialog.get_by_role("button", name="Invite", exact=True).click()
    shown = page.get_by_role("dialog", name="User invited")
    expect(shown).to_contain_text("It will not be shown again")
    password = shown.get_by_role("textbox").input_value()
    shown.get_by_role("button", name="Copy").click()
    expect(shown.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == password
    shown.get_by_role("button", name="I have copied it").click()
    expect(shown).to_be_hidden()
    return password


def test_an_admin_invites_a_user_changes_its_role_and_deactivates_it(
        page: Page, site: ConsoleSite, tmp_path: Path) -> None:
    colleague = {"email": "alan@example.com", "name": "Alan Turing", "password": PASSWORD,
                 "role": "analyst"}  # a row with its actions in the screenshot
    r = httpx.post(site.url + "/api/admin/users", headers=site.headers(), json=colleague,
                   timeout=10)
    assert r.status_code == 201, r.text
    sign_in(page, site, "/admin/users")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    password = invite(page, GRACE, "Grace Hopper", "Analyst")
    assert password not in page.content()  # the password left the page with its dialog
    row = page.get_by_role("row").filter(has_text=GRACE)
    for text in ("Grace Hopper", "Analyst", "Active"):
        expect(row).to_contain_text(text)
    signed_in = password_sign_in(site, GRACE, password)
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["token"]
    assert role_of(site, token) == "analyst"

    row.get_by_role("button", name=f"Change role of {GRACE}").click()
    dialog = page.get_by_role("dialog", name="Change role")
    dialog.get_by_label("New role").select_option(label="Viewer")
    dialog.get_by_role("button", name="Change role").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("Viewer")
    wait_for(lambda: role_of(site, token) == "viewer", timeout=30, what="the new role applied")

    row.get_by_role("button", name=f"Deactivate {GRACE}").click()
    confirm = page.get_by_role("dialog", name="Deactivate user?")
    expect(confirm).to_contain_text(GRACE)
    confirm.get_by_role("button", name="Deactivate").click()
    expect(confirm).to_be_hidden()
    expect(row).to_contain_text("Deactivated")
    expect(row.get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("button", name="Invite user")).to_be_focused()  # not the body
    refused = password_sign_in(site, GRACE, password)
    assert refused.status_code == 401 and "Invalid email or password" in refused.text
    wait_for(lambda: httpx.get(site.url + "/api/v1/me", headers=_bearer(token),
                               timeout=10).status_code == 401,
             timeout=30, what="the deactivated user's session refused")
    page.get_by_role("heading", name="Users", exact=True).click()  # no focus ring in the image
    assert axe_violations(page) == []
    screenshots(page, tmp_path, "admin-users")


def test_an_api_error_is_announced_in_the_dialog(page: Page, site: ConsoleSite) -> None:
    sign_in(page, site, "/admin/users")
    me = page.get_by_role("row").filter(has_text=ADMIN["email"])
    expect(me).to_contain_text("(you)")  # the API refuses your own role change or deactivation
    expect(me.get_by_role("button")).to_have_count(0)
    page.get_by_role("button", name="Invite user").click()
    dialog = page.get_by_role("dialog", name="Invite user")
    dialog.get_by_label("Email").fill(ADMIN["email"])
    dialog.get_by_label("Name").fill("Ada Again")
    dialog.get_by_role("button", name="Invite", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("A user with this email already exists")
    expect(dialog.get_by_label("Name")).to_have_value("Ada Again")  # nothing typed is lost
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("row").filter(has_text=ADMIN["email"])).to_have_count(1)


def test_the_dialogs_work_by_keyboard_only(page: Page, site: ConsoleSite,
                                           tmp_path: Path) -> None:
    sign_in(page, site, "/admin/users")
    opener = page.get_by_role("button", name="Invite user")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Invite user")
    email = dialog.get_by_label("Email")
    expect(email).to_be_focused()
    page.keyboard.type("lin@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("Lin Keys")
    for _ in range(3):  # role, Cancel, Invite: the last control
        page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Invite", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(email).to_be_focused()  # Tab wraps inside the dialog
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Invite", exact=True)).to_be_focused()
    assert axe_violations(page) == []  # with the dialog open
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    page.keyboard.press("Enter")
    page.keyboard.type("lin@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("Lin Keys")
    page.keyboard.press("Enter")  # submits the form
    shown = page.get_by_role("dialog", name="User invited")
    expect(shown.get_by_role("textbox")).to_be_focused()
    screenshots(page, tmp_path, "admin-users-invited")
    page.keyboard.press("Escape")
    expect(shown).to_be_hidden()
    expect(page.get_by_role("row").filter(has_text="lin@example.com")).to_contain_text("Analyst")

    page.get_by_role("link", name="API keys").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="API keys")).to_be_focused()
    key = create_key(page, "Keyboard key")
    assert tables(site, key) == 200
    assert axe_violations(page) == []
    page.get_by_role("button", name="Revoke key Keyboard key").focus()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("dialog", name="Revoke API key?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()  # the safe choice
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(confirm).to_be_hidden()
    # The row's button left with the revocation: focus lands on "Create key", not the body.
    expect(page.get_by_role("button", name="Create key")).to_be_focused()
    assert tables(site, key) == 401


def test_the_plans_page_shows_the_plan_of_the_plans_file(page: Page, site: ConsoleSite,
                                                         tmp_path: Path) -> None:
    def used_of(key: str) -> int | None:
        r = httpx.get(site.url + "/api/v1/admin/plan", headers=site.headers(), timeout=10)
        assert r.status_code == 200, r.text
        used: int | None = {f["key"]: f["used"] for f in r.json()["features"]}[key]
        return used

    def queries_used() -> int:
        return int(used_of("queries") or 0)

    before = queries_used()  # other console tests of the session ask questions too
    asked = httpx.post(site.url + "/api/v1/query", json={"question": "how many orders"},
                       timeout=60, headers=site.headers())
    assert asked.status_code == 200, asked.text
    wait_for(lambda: queries_used() > before, timeout=30, what="the question counted")
    used = queries_used()
    sign_in(page, site, "/admin/plans")
    expect(page.get_by_role("heading", name="Plan and usage")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("is on the team plan")
    features = page.get_by_role("list", name="Features")
    expect(features.get_by_role("heading", name="Query On")).to_be_visible()
    expect(features.get_by_role("heading", name="SSO Off")).to_be_visible()
    bar = page.get_by_role("progressbar", name="Queries")
    expect(bar).to_have_attribute("aria-valuenow", str(used))
    expect(bar).to_have_attribute("aria-valuemax", "50")
    expect(features).to_contain_text(f"{used} of 50 used")
    expect(page.get_by_role("progressbar", name="LLM tokens")).to_have_attribute(
        "aria-valuemax", "5000")
    expect(features.get_by_text("resets in").first).to_be_visible()
    # A computed limit (active keys): the gateway asks the keys service for its count.
    keys = used_of("api-keys")
    assert keys is not None
    expect(features.get_by_role("listitem").filter(has_text="API keys")).to_contain_text(
        f"{keys} of 10 used")
    expect(page.get_by_role("progressbar", name="API keys")).to_have_attribute(
        "aria-valuenow", str(keys))
    assert axe_violations(page) == []
    screenshots(page, tmp_path, "admin-plans")


def test_a_viewer_is_told_the_pages_are_for_admins(page: Page, site: ConsoleSite) -> None:
    r = httpx.post(site.url + "/api/admin/users", headers=site.headers(), timeout=10,
                   json={"email": "vera@example.com", "name": "Vera", "password": PASSWORD,
                         "role": "viewer"})
    assert r.status_code == 201, r.text
    sign_in(page, site, "/admin/users", "vera@example.com")
    expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
    expect(page.get_by_role("button", name="Invite user")).to_be_hidden()
    page.get_by_role("link", name="Plans").click()
    expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)


def test_without_a_plans_file_the_plans_page_says_unlimited(page: Page, site: ConsoleSite) -> None:
    # The session's stack runs a plans file; the body its gateway answers without one
    # (service/admin_overview.py plan_body, tested in the admin API's tests) is served here.
    body = {"workspaceId": "default", "plan": None, "features": [], "unlimited": True}
    page.route("**/api/v1/admin/plan", lambda route: route.fulfill(json=body))
    sign_in(page, site, "/admin/plans")
    expect(page.get_by_role("heading", name="Plan and usage")).to_be_visible()
    expect(page.get_by_role("heading", name="No plans file: unlimited")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(0)
