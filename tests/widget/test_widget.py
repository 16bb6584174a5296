"""The script-tag widget on a customer's page (another origin), in real headless Chromium.

The host page carries the seed's script tag verbatim with an API key created in managed mode.
Set ``ATLAS_UPDATE_SCREENSHOTS=1`` to refresh the screenshots under docs/images/.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.stack import wait_for
from tests.widget.conftest import Console
from tests.widget.pages import DEMO_QUESTION, host_page, panel, screenshot
from tests.widget.site import ADMIN, Site

pytestmark = pytest.mark.timeout(300)

TIME_SERIES = "How many users signed up per day over the last 30 days?"


def api_answer(site: Site, key: str, question: str) -> dict[str, object]:
    r = httpx.post(
        site.url + "/api/v1/query",
        json={"question": question},
        timeout=30,
        headers={"authorization": f"Bearer {key}"},
    )
    assert r.status_code == 200, r.text
    answer: dict[str, object] = r.json()
    return answer


def test_the_widget_answers_the_demo_question_like_the_api(
    page: Page, site: Site, console: Console, tmp_path: Path
) -> None:
    key = site.create_key("widget")["key"]
    expected = api_answer(site, key, DEMO_QUESTION)["data"][0]["rows"][0]["signups"]  # type: ignore[index]
    page.goto(host_page(site, "/shop.html", key))
    bubble = page.get_by_role("button", name="Open Atlas chat")
    expect(bubble).to_be_visible()
    screenshot(page, "widget-closed.png", tmp_path)

    page.evaluate("question => window.Atlas.ask(question)", DEMO_QUESTION)
    chat = panel(page)
    answer = chat.locator(".atlas-msg-assistant").first
    expect(answer).to_contain_text(f"{expected:,} signups last week", timeout=15_000)
    card = answer.get_by_role("region", name="Query result")
    expect(card.get_by_role("cell", name=f"{expected:,}", exact=True)).to_be_visible()
    expect(card.locator("pre.atlas-sql")).to_be_hidden()
    card.get_by_role("button", name="Show SQL").click()
    first_sql = card.locator("pre.atlas-sql").inner_text()
    assert first_sql.startswith("SELECT COUNT(*) AS signups FROM users")
    screenshot(page, "widget-open.png", tmp_path)

    # A follow-up continues the conversation: the same week, now by country.
    chat.get_by_label("Ask a question about your data").fill("What about by country?")
    chat.get_by_role("button", name="Send").click()
    second = chat.locator(".atlas-msg-assistant").nth(1)
    expect(second.get_by_role("region", name="Query result")).to_contain_text(
        "rows", timeout=15_000
    )
    second.get_by_role("button", name="Show SQL").click()
    follow_sql = second.locator("pre.atlas-sql").inner_text()
    week = re.findall(r"CAST\('([^']+)' AS TIMESTAMP\)", first_sql)
    assert "GROUP BY country" in follow_sql and week and all(w in follow_sql for w in week)
    assert second.get_by_role("row").count() > 2  # the header and the countries
    assert console.errors == []


def test_a_time_series_draws_a_line_chart(
    page: Page, site: Site, console: Console, tmp_path: Path
) -> None:
    page.goto(host_page(site, "/series.html", site.create_key("series")["key"]))
    page.evaluate("question => window.Atlas.ask(question)", TIME_SERIES)
    chart = panel(page).locator("figure.atlas-chart")
    expect(chart).to_have_attribute("data-chart-kind", "line", timeout=15_000)
    expect(
        chart.get_by_role("img", name=re.compile(r"^Line chart of signups by day"))
    ).to_be_visible()
    drawn = chart.locator("canvas").evaluate(
        "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v !== 0)"
    )
    assert drawn
    chart.evaluate("el => el.scrollIntoView({block: 'start'})")  # the chart whole, not its foot
    screenshot(page, "widget-chart.png", tmp_path)
    assert console.errors == []


def test_dark_theme_then_destroy_removes_every_node(
    page: Page, site: Site, console: Console, tmp_path: Path
) -> None:
    page.goto(host_page(site, "/dark.html", site.create_key("dark")["key"], ' data-theme="dark"'))
    before = page.evaluate("document.querySelectorAll('*').length")
    page.evaluate("question => window.Atlas.ask(question)", DEMO_QUESTION)
    root = panel(page).locator(".atlas-root")
    expect(root).to_have_attribute("data-theme", "dark")
    expect(root).to_contain_text("signups last week", timeout=15_000)
    background = root.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(11, 18, 32)"
    screenshot(page, "widget-dark.png", tmp_path)
    page.evaluate("window.Atlas.setTheme('light')")
    expect(root).to_have_attribute("data-theme", "light")

    page.evaluate("window.Atlas.destroy()")
    assert page.evaluate("document.querySelectorAll('[data-atlas-widget], iframe').length") == 0
    assert page.evaluate("typeof window.Atlas") == "undefined"
    assert page.evaluate("document.querySelectorAll('*').length") == before - 1  # the host element
    assert console.errors == []


def test_calls_made_before_the_loader_are_replayed_and_events_fire(page: Page, site: Site) -> None:
    queue = (
        "<script>window.opened = 0; window.onAtlasOpen = () => window.opened++;"
        "window.Atlas = [['on', 'close', () => { window.__closed = true; }], ['open']];</script>"
    )
    page.goto(
        host_page(
            site,
            "/queued.html",
            site.create_key("queued")["key"],
            ' data-on-open="onAtlasOpen"',
            before=queue,
        )
    )
    expect(page.get_by_role("dialog", name="Atlas chat")).to_be_visible()
    assert page.evaluate("window.opened") == 1
    page.evaluate("window.Atlas.close()")
    assert page.evaluate("window.__closed") is True


def test_a_clarification_is_answered_by_its_button(
    page: Page, site: Site, console: Console
) -> None:
    page.goto(host_page(site, "/clarify.html", site.create_key("clarify")["key"]))
    page.evaluate("window.Atlas.ask('Show me revenue')")
    choices = panel(page).get_by_role("group", name="What do you mean by revenue?")
    expect(choices.get_by_role("button")).to_have_text(["GMV", "Net revenue"], timeout=15_000)
    choices.get_by_role("button", name="GMV").click()
    answer = panel(page).locator(".atlas-msg-assistant").nth(1)
    answer.get_by_role("button", name="Show SQL").click(timeout=15_000)
    expect(answer.locator("pre.atlas-sql")).to_contain_text("FROM orders")
    expect(choices).to_have_count(0)  # only the latest answer offers choices
    assert console.errors == []


def test_the_script_tag_attributes_apply(page: Page, site: Site, console: Console) -> None:
    attributes = (
        ' data-position="bottom-left" data-accent="#0f766e" data-show-branding="false"'
        """ data-starter-prompts='["Top countries?","Signups by month?"]'"""
    )
    page.goto(host_page(site, "/attributes.html", site.create_key("attrs")["key"], attributes))
    bubble = page.get_by_role("button", name="Open Atlas chat")
    assert bubble.evaluate("b => getComputedStyle(b).left") == "20px"
    assert bubble.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(15, 118, 110)"
    bubble.click()
    chat = panel(page)
    starters = chat.get_by_role("group", name="Starter prompts").get_by_role("button")
    expect(starters).to_have_text(["Top countries?", "Signups by month?"])
    root = chat.locator(".atlas-root")
    assert root.evaluate("r => getComputedStyle(r).getPropertyValue('--atlas-accent')") == "#0f766e"
    expect(chat.get_by_text("Powered by Atlas")).to_have_count(0)
    assert console.errors == []


def test_without_a_key_the_panel_signs_in_first(page: Page, site: Site, console: Console) -> None:
    page.goto(host_page(site, "/nokey.html", ""))
    page.get_by_role("button", name="Open Atlas chat").click()
    chat = panel(page)
    expect(chat.get_by_role("heading", name="Sign in")).to_be_visible()
    chat.get_by_label("Email").fill(ADMIN["email"])
    chat.get_by_label("Password").fill(ADMIN["password"])
    chat.get_by_role("button", name="Sign in").click()
    # A cross-site iframe gets no cookie: the session token from the sign-in carries on.
    page.evaluate("question => window.Atlas.ask(question)", DEMO_QUESTION)
    expect(chat.locator(".atlas-msg-assistant")).to_contain_text(
        "signups last week", timeout=15_000
    )
    assert console.errors == []


def test_keyboard_focus_and_escape(page: Page, site: Site) -> None:
    page.goto(host_page(site, "/keys.html", site.create_key("keyboard")["key"]))
    bubble = page.get_by_role("button", name="Open Atlas chat")
    bubble.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Atlas chat")
    expect(dialog).to_be_visible()
    textbox = panel(page).get_by_label("Ask a question about your data")
    expect(textbox).to_be_focused()
    starters = panel(page).get_by_role("group", name="Starter prompts").get_by_role("button")
    expect(starters.first).to_be_visible()  # GET /api/v1/starter-prompts, shown while empty
    page.keyboard.press("Escape")  # pressed inside the iframe: it asks the host to close
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("button", name="Open Atlas chat")).to_be_focused()
    assert bubble.get_attribute("aria-expanded") == "false"


@pytest.mark.parametrize("case", ["wrong", "revoked"])
def test_a_bad_key_shows_a_visible_error(page: Page, site: Site, case: str) -> None:
    created = site.create_key(f"to-{case}")
    key = created["key"]
    if case == "wrong":
        key = key[:-6] + "AAAAAA"
    else:
        r = httpx.post(
            site.url + "/api/auth/api-key/delete",
            json={"keyId": created["id"]},
            headers={"authorization": f"Bearer {site.admin_token}"},
            timeout=10,
        )
        assert r.status_code == 200, r.text
    page.goto(host_page(site, f"/{case}.html", key))
    page.evaluate("window.__errors = []; window.Atlas.on('error', e => window.__errors.push(e))")
    page.evaluate("question => window.Atlas.ask(question)", DEMO_QUESTION)
    alert = panel(page).get_by_role("alert")
    expect(alert).to_contain_text("not accepted", timeout=10_000)
    expect(alert.get_by_role("button", name="Retry")).to_have_count(0)
    expect(panel(page).get_by_role("status")).to_have_count(0)  # no endless spinner
    assert page.evaluate("window.__errors.map(e => e.code)") == ["auth_error"]


# Resolves once a message posted now has been through every listener registered before ours.
AFTER_LISTENERS = """message => new Promise(resolve => {
  window.addEventListener('message', () => requestAnimationFrame(() => setTimeout(resolve)),
                          {once: true});
  window.postMessage(message, '*');
})"""

# In a frame: set `__handled` once the next message has been through the app's listeners.
MARK_NEXT_MESSAGE = """() => { window.addEventListener('message', () =>
  requestAnimationFrame(() => setTimeout(() => { window.__handled = true; })), {once: true}); }"""


def test_messages_from_any_other_window_or_origin_are_ignored(page: Page, site: Site) -> None:
    key = site.create_key("origins")["key"]
    page.goto(host_page(site, "/origins.html", key))
    page.evaluate("window.Atlas.open()")
    dialog = page.get_by_role("dialog", name="Atlas chat")
    expect(dialog).to_be_visible()
    # The host window itself (same origin, not the iframe) says "close": the loader ignores it.
    page.evaluate(AFTER_LISTENERS, {"type": "atlas:close"})
    expect(dialog).to_be_visible()

    # An iframe told its host is another origin accepts nothing from this page.
    probe = f"{site.url}/widget?host=http://elsewhere.example"
    page.evaluate(
        "src => new Promise(r => { const f = document.createElement('iframe');"
        " f.className = 'probe'; f.title = 'probe'; f.onload = r; f.src = src;"
        " document.body.append(f); })",
        probe,
    )
    inner = next(f for f in page.frames if f.url == probe)
    expect(page.frame_locator("iframe.probe").get_by_role("status")).to_have_text("Loading…")
    inner.evaluate(MARK_NEXT_MESSAGE)
    page.evaluate(
        "k => document.querySelector('iframe.probe').contentWindow"
        ".postMessage({type: 'atlas:init', token: k}, '*')",
        key,
    )
    wait_for(
        lambda: inner.evaluate("() => window.__handled === true"),
        timeout=5,
        what="the probe frame handled the message",
    )
    expect(page.frame_locator("iframe.probe").get_by_role("status")).to_have_text("Loading…")
    assert inner.evaluate("() => document.querySelectorAll('.atlas-root').length") == 0
