"""The chat at `/` (sign-in first in managed mode) and the React example app, in Chromium."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.stack import free_port, wait_http
from tests.widget.conftest import ROOT, Console, build
from tests.widget.pages import DEMO_QUESTION, screenshot
from tests.widget.site import PASSWORD, Site
from tests.widget.test_widget import TIME_SERIES

pytestmark = pytest.mark.timeout(300)

EXAMPLE_DIST = ROOT / "examples" / "react" / "dist"


def test_the_chat_page_signs_in_first_then_answers(
    page: Page, site: Site, console: Console, tmp_path: Path
) -> None:
    person = {"email": "ana@example.com", "name": "Ana", "password": PASSWORD, "role": "analyst"}
    r = httpx.post(
        site.url + "/api/admin/users",
        json=person,
        timeout=10,
        headers={"authorization": f"Bearer {site.admin_token}"},
    )
    assert r.status_code == 201, r.text
    page.goto(site.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(person["email"])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    console.errors.clear()  # the browser logs the refused sign-in's 401: that one was asked for
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    question = page.get_by_label("Ask a question about your data")
    question.fill(TIME_SERIES)
    question.press("Enter")
    answer = page.locator(".atlas-msg-assistant")
    expect(answer.locator("figure.atlas-chart")).to_be_visible(timeout=15_000)
    expect(answer).to_contain_text("Signups by day")
    sidebar = page.get_by_role("navigation", name="Conversations")
    expect(sidebar.get_by_role("listitem")).to_have_count(1)
    screenshot(page, "chat-page.png", tmp_path)
    page.get_by_role("button", name="New chat").click()
    expect(answer).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith("/stream")) as resumed:
        sidebar.get_by_role("button", name=TIME_SERIES, exact=True).click()  # from the store
    assert resumed.value.status == 204  # the run is over: nothing to resume
    expect(page.locator(".atlas-msg-user")).to_have_text([TIME_SERIES])
    expect(answer).to_contain_text("Signups by day")
    expect(answer).to_have_count(1)  # resuming a finished run adds nothing
    page.reload()  # the session cookie keeps the person signed in
    expect(page.get_by_label("Ask a question about your data")).to_be_visible()
    # ... and only them: the gateway's relay keeps no cookie for the next caller.
    assert httpx.get(site.url + "/api/auth/get-session", timeout=10).json() is None
    star_share_delete(page)
    assert console.errors == []


def star_share_delete(page: Page) -> None:
    item = page.get_by_role("navigation", name="Conversations").get_by_role("listitem")
    star = item.get_by_role("button", name=f"Star {TIME_SERIES}")
    star.click()
    expect(item.get_by_role("button", name=f"Unstar {TIME_SERIES}")).to_have_attribute(
        "aria-pressed", "true"
    )
    item.get_by_role("button", name=f"Share {TIME_SERIES}").click()
    link = page.get_by_role("status").filter(has_text="Link copied")
    expect(link).to_contain_text("http")
    shared = link.inner_text().split("Link copied: ", 1)[1]
    public = httpx.get(shared, timeout=10)  # the link works without any credential
    assert public.status_code == 200 and public.json()["messages"][0]["content"] == TIME_SERIES
    item.get_by_role("button", name=f"Delete {TIME_SERIES}").click()
    item.get_by_role("button", name="Delete", exact=True).click()
    expect(item).to_have_count(0)


def example_pages(site: Site, key: str) -> str:
    """The built example served from the host origin, told where Atlas is."""
    config = f'<script>window.ATLAS_EXAMPLE = {{apiUrl: "{site.url}", apiKey: "{key}"}};</script>'
    html = (EXAMPLE_DIST / "index.html").read_text().replace("<head>", "<head>" + config, 1)
    for asset in (EXAMPLE_DIST / "assets").iterdir():
        kind = "text/javascript" if asset.suffix == ".js" else "text/css"
        site.host.put(f"/example/assets/{asset.name}", asset.read_bytes(), kind)
    return site.host.put("/example/index.html", html)


def test_the_react_example_answers_in_the_browser(page: Page, site: Site, console: Console) -> None:
    build("clients/react", ROOT / "clients" / "react" / "dist" / "index.js")
    build("examples/react", EXAMPLE_DIST / "index.html")
    page.goto(example_pages(site, site.create_key("example")["key"]))
    question = page.get_by_label("Ask a question about your data")
    question.fill(DEMO_QUESTION)
    page.get_by_role("button", name="Send").click()
    answer = page.locator(".atlas-msg-assistant")
    expect(answer).to_contain_text("signups last week", timeout=15_000)
    # The host's `button { background: hotpink; text-transform: uppercase }` stays outside.
    show_sql = answer.get_by_role("button", name="Show SQL")
    assert show_sql.evaluate("b => getComputedStyle(b).textTransform") == "none"
    assert show_sql.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(255, 105, 180)"
    assert console.errors == []


SIMPLE_KEY = "a-simple-key-for-the-chat-page-test"
MODES = {
    "none": {"ATLAS_AUTH_MODE": "none"},
    "simple-key": {"ATLAS_AUTH_MODE": "api-key", "ATLAS_API_KEY": SIMPLE_KEY},
}


def gateway_in_mode(site: Site, mode: str) -> str:
    """Another auth service of the same stack in `mode`, and a gateway in front of it."""
    port = free_port()
    auth = site.stack.start(
        "atlas-auth", f"auth-{mode}", {"ATLAS_AUTH_PORT": str(port), **MODES[mode]}
    )
    wait_http(f"http://127.0.0.1:{port}/healthz", auth)
    return site.stack.start_gateway(
        f"gateway-{mode}", {"ATLAS_AUTH_URL": f"http://127.0.0.1:{port}"}
    )


def test_without_managed_auth_the_page_opens_on_the_chat(page: Page, site: Site) -> None:
    page.goto(gateway_in_mode(site, "none") + "/")
    question = page.get_by_label("Ask a question about your data")
    question.fill(DEMO_QUESTION)
    question.press("Enter")
    expect(page.locator(".atlas-msg-assistant")).to_contain_text(
        "signups last week", timeout=15_000
    )


def test_a_simple_key_gateway_asks_for_the_key(page: Page, site: Site) -> None:
    page.goto(gateway_in_mode(site, "simple-key") + "/")
    expect(page.get_by_role("heading", name="Your API key")).to_be_visible()
    page.get_by_label("API key or token").fill("not the key")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("API key or token").fill(SIMPLE_KEY)
    page.get_by_role("button", name="Continue").click()
    question = page.get_by_label("Ask a question about your data")
    question.fill(DEMO_QUESTION)
    question.press("Enter")
    expect(page.locator(".atlas-msg-assistant")).to_contain_text(
        "signups last week", timeout=15_000
    )
