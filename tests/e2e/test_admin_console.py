"""The admin console's overview, audit log and semantic layer pages (clients/console) in Debian's
Chromium against a managed stack with the audit service (tests/e2e/console_support.py).

The test asks questions through the API first (answered, not understood, and one refused by
row-level security), waits until the audit consumer wrote them, then signs in on /admin: the
overview's counts are the API's, the audit viewer lists the questions, filters by outcome and
text (kept in the URL), opens a row's detail with the SQL as run; the semantic browser shows an
entity and the questions that touched its table. "Load more" (pages of 50, filled by role
changes and a few questions) appends each next page in the API's order, moves focus to its
first row and is gone after the last page. The audit page is driven by keyboard only;
axe-core finds no serious or critical violation on any page. ``ATLAS_UPDATE_SCREENSHOTS=1``
refreshes docs/images/admin-{overview,audit,semantic}{,-dark}.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from atlas_common.errors import NotFound
from atlas_gateway.widget_files import ConsoleFiles
from tests.e2e.console_support import (  # noqa: F401 - fixtures
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
from tests.support.polling import wait_for

pytestmark = pytest.mark.timeout(900)

ANSWERED = ["How many users signed up last week?", "How many orders are there?"]
NOT_UNDERSTOOD = "What is our churn rate?"
REFUSED = "How many categories are there?"  # row-level security on categories, no claim


def _audit(site: ConsoleSite, **params: Any) -> dict[str, Any]:
    r = httpx.get(site.url + "/api/v1/admin/audit", params=params, headers=site.headers(),
                  timeout=30)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _overview(site: ConsoleSite) -> dict[str, Any]:
    r = httpx.get(site.url + "/api/v1/admin/overview", headers=site.headers(), timeout=30)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _ask(site: ConsoleSite, question: str) -> int:
    r = httpx.post(site.url + "/api/v1/query", json={"question": question},
                   headers=site.headers(), timeout=90)
    return r.status_code


@pytest.fixture(scope="module")
def asked(console_site: ConsoleSite) -> dict[str, Any]:
    """The questions asked, audited; the overview the API gives once they all are."""
    before = _audit(console_site, kind="question")["total"]
    for question in ANSWERED:
        assert _ask(console_site, question) == 200
    assert _ask(console_site, NOT_UNDERSTOOD) == 200
    _ask(console_site, REFUSED)  # refused: whatever its status, the trail records an error
    wait_for(lambda: _audit(console_site, kind="question")["total"] == before + 4, timeout=90,
             what="the four questions in the audit trail")
    refused = _audit(console_site, q=REFUSED)["rows"]
    assert [r["outcome"] for r in refused] == ["error"], refused
    overview = wait_for(lambda: (o := _overview(console_site))["questions"] and
                        o["questions"]["total"] >= before + 4 and o, timeout=60,
                        what="the overview counting them")
    return overview


def _rate(rate: float) -> str:
    """formatRate of clients/console/src/format.ts."""
    return f"{round(rate * 1000) / 10:g}%"


def _card(page: Page, label: str) -> str:
    card = page.locator(".console-card").filter(has=page.locator("dt", has_text=re.compile(
        f"^{re.escape(label)}$")))
    return card.locator("dd").inner_text()


def _focused(page: Page) -> str:
    return str(page.evaluate(
        "() => { const e = document.activeElement; return e ? (e.getAttribute('aria-label')"
        " || e.id || e.textContent || '').trim() : ''; }"))


def _tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element is `name` (its label, id or text)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == name:
            return
    pytest.fail(f"Tab never reached {name!r}")


def test_the_overview_counts_what_was_asked(console_page: Page, console_site: ConsoleSite,
                                            asked: dict[str, Any], tmp_path: Path) -> None:
    page = console_page
    sign_in(page, console_site)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    expect(page.get_by_text("admin@example.com")).to_be_visible()
    questions = _overview(console_site)["questions"]
    assert questions["total"] >= asked["questions"]["total"]
    expect(page.locator(".console-card dd").first).not_to_have_text("—")
    assert _card(page, "Questions") == f"{questions['total']:,}"
    assert _card(page, "Active users") == str(questions["activeUsers"])
    assert _card(page, "Error rate") == _rate(questions["errorRate"]) != "0%"
    entities = httpx.get(console_site.url + "/api/v1/admin/semantic/entities",
                         headers=console_site.headers(), timeout=30).json()["entities"]
    assert _card(page, "Entities") == str(len(entities))
    top = page.get_by_role("table", name="Top questions")
    for question in ANSWERED:
        expect(top).to_contain_text(question)
    expect(page.locator("figure.atlas-chart canvas")).to_be_visible()
    expect(page.get_by_text("Plan team")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Queries")).to_be_visible()
    assert axe_violations(page) == []
    screenshots(page, tmp_path, "admin-overview")


def test_the_audit_viewer_by_keyboard(console_page: Page, console_site: ConsoleSite,
                                      asked: dict[str, Any], tmp_path: Path) -> None:
    page = console_page
    sign_in(page, console_site)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    page.keyboard.press("Control+Home")
    _tab_to(page, "Audit log")
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name="Audit log", exact=True)
    expect(heading).to_be_focused()  # focus moved to the new page's heading
    table = page.get_by_role("table", name=re.compile("Audit events, newest first"))
    for question in [*ANSWERED, NOT_UNDERSTOOD, REFUSED]:
        expect(table).to_contain_text(question)
    first = table.get_by_role("row").nth(1)
    expect(first).to_contain_text(REFUSED)  # newest first
    # The trail holds user ids; the console names the workspace's users by their email.
    expect(first.get_by_role("cell").nth(1)).to_have_text(ADMIN["email"])
    assert axe_violations(page) == []
    screenshots(page, tmp_path, "admin-audit")

    _tab_to(page, "audit-q")  # the text filter, then its form submits on Enter
    page.keyboard.type("signed up")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/audit\?q=signed\+up$"))
    matching = _audit(console_site, q="signed up")["total"]
    expect(table.get_by_role("row")).to_have_count(matching + 1)  # and the header
    expect(table).not_to_contain_text(ANSWERED[1])
    expect(table).to_contain_text(ANSWERED[0])
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute(
        "href", "/api/v1/admin/audit/export?q=signed+up")

    _tab_to(page, ANSWERED[0])  # the row's button opens its detail
    page.keyboard.press("Enter")
    detail = page.get_by_role("region", name="Event detail")
    expect(detail.get_by_role("heading", name="Event detail")).to_be_focused()
    sql = _audit(console_site, q=ANSWERED[0])["rows"][0]["sql"]
    assert "users" in sql.lower()
    expect(detail.locator("pre code")).to_have_text(sql)
    expect(detail).to_contain_text("users")  # its tables
    screenshots(page, tmp_path, "admin-audit-detail")


def test_the_audit_viewer_filters_by_outcome_and_keeps_them_in_the_url(
        console_page: Page, console_site: ConsoleSite, asked: dict[str, Any]) -> None:
    page = console_page
    sign_in(page, console_site, "/admin/audit")
    expect(page.get_by_role("heading", name="Audit log", exact=True)).to_be_visible()
    page.get_by_label("Outcome").select_option(label="Error")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/admin/audit\?outcome=error$"))
    table = page.get_by_role("table", name=re.compile("Audit events"))
    expect(table).to_contain_text(REFUSED)
    errors = _audit(console_site, outcome="error")["total"]
    expect(table.get_by_role("row")).to_have_count(errors + 1)
    expect(table).not_to_contain_text(ANSWERED[1])
    page.reload()  # the filter survives a reload: it is in the URL
    expect(page.get_by_label("Outcome")).to_have_value("error")
    expect(table).to_contain_text(REFUSED)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/admin/audit$"))
    expect(table).to_contain_text(ANSWERED[1])


def test_the_semantic_browser_shows_an_entity_and_its_questions(
        console_page: Page, console_site: ConsoleSite, asked: dict[str, Any],
        tmp_path: Path) -> None:
    page = console_page
    sign_in(page, console_site, "/admin/semantic")
    expect(page.get_by_role("heading", name="Semantic layer", exact=True)).to_be_visible()
    page.get_by_label("Search entities").fill("user")
    entities = page.get_by_role("list", name="Entities")
    expect(entities.get_by_role("button")).not_to_have_count(0)
    entities.get_by_role("button", name=re.compile(r"^Users")).click()
    expect(page).to_have_url(re.compile(r"/admin/semantic\?entity=Users$"))
    detail = page.get_by_role("article", name="Users")
    expect(detail.get_by_role("table", name=re.compile(r"^Dimensions"))).to_contain_text(
        "created_at")
    expect(detail.get_by_role("table", name=re.compile(r"^Measures"))).to_be_visible()
    expect(detail.get_by_role("table", name=re.compile(r"^Joins"))).to_contain_text("Orders")
    touching = detail.get_by_role("list", name="Questions that touch it")
    expect(touching).to_contain_text(ANSWERED[0])
    expect(touching).not_to_contain_text(ANSWERED[1])  # orders, not users
    expect(page.get_by_role("heading", name="Metrics")).to_be_visible()
    page.get_by_text("SQL of Orders", exact=True).click()
    expect(page.locator(".console-metrics pre").first).to_be_visible()
    expect(page.locator(".console-metrics pre").first).to_contain_text("SELECT COUNT(DISTINCT id)")
    page.get_by_label("Search the glossary").fill("revenue")
    expect(page.get_by_role("table", name=re.compile("Glossary terms"))).to_contain_text(
        "Ambiguous")
    assert axe_violations(page) == []
    screenshots(page, tmp_path, "admin-semantic")


def test_the_console_shell_is_public_strict_and_knows_its_pages(
        console_site: ConsoleSite) -> None:
    for path in ("/admin", "/admin/audit", "/admin/semantic", "/admin/users"):
        r = httpx.get(console_site.url + path, timeout=10)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        policy = r.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert r.headers["x-frame-options"] == "DENY"
        assert "/admin/assets/" in r.text
    asset = re.search(r'src="(/admin/assets/[^"]+\.js)"', r.text)
    assert asset
    js = httpx.get(console_site.url + asset[1], timeout=10)
    assert js.status_code == 200 and "immutable" in js.headers["cache-control"]
    again = httpx.get(console_site.url + asset[1], headers={"if-none-match": js.headers["etag"]},
                      timeout=10)
    assert again.status_code == 304
    for missing in ("/admin/nope", "/admin/assets/nope.js"):
        r = httpx.get(console_site.url + missing, timeout=10)
        assert (r.status_code, r.json()["error"]) == (404, "not_found")


def test_an_unbuilt_console_says_how_to_build_it(tmp_path: Path) -> None:
    files = ConsoleFiles(tmp_path / "dist")
    with pytest.raises(NotFound, match=r"not built \(run `make install`"):
        files.get("index.html")
    (tmp_path / "dist" / "assets").mkdir(parents=True)
    (tmp_path / "dist" / "index.html").write_text("<!doctype html>")
    (tmp_path / "dist" / "assets" / "app.js").write_text("1")
    assert files.get("assets/app.js").media_type.startswith("text/javascript")
    with pytest.raises(NotFound):
        files.get("../index.html")


def test_a_session_ended_elsewhere_brings_back_the_sign_in(console_page: Page,
                                                          console_site: ConsoleSite) -> None:
    """Signed out from another tab (or expired): the next page's API call answers 401 and the
    console shows its sign-in form rather than an error on an empty page."""
    page = console_page
    sign_in(page, console_site)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    token = next(c["value"] for c in page.context.cookies()
                 if c["name"] == "atlas.session_token")
    r = httpx.post(console_site.url + "/api/auth/sign-out",
                   headers={"authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 200, r.text
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/audit$"))  # signing in returns here


PAGE_SIZE = 50  # the audit viewer's (clients/console/src/pages/audit.tsx), not set by the URL
PAGER = {"email": "pager@example.com", "name": "Pat Pager", "password": PASSWORD,
         "role": "viewer"}


def _every_row(site: ConsoleSite) -> list[dict[str, Any]]:
    """The whole trail as the API pages it (by cursor, as the viewer does): the truth the
    viewer's rows are compared with (an unfiltered total may be an estimate)."""
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        body = _audit(site, limit=PAGE_SIZE, **({"cursor": cursor} if cursor else {}))
        rows += body["rows"]
        cursor = body.get("nextCursor")
        if not cursor:
            return rows


def _event_of(row: dict[str, Any]) -> str:
    """The viewer's Event cell: the question (truncated at 90) or the change's action."""
    if row["kind"] != "question":
        return str(row["action"])
    question = str(row["question"] or "")
    return question if len(question) <= 90 else question[:89] + "…"


@pytest.fixture(scope="module")
def paged(console_site: ConsoleSite, asked: dict[str, Any]) -> list[dict[str, Any]]:
    """More than two of the viewer's pages: a user whose role is flipped (each change an
    audited row, cheap: the plan allows only 50 questions a month, which the session's other
    tests share) and a few questions between them, so rows are told apart by their text."""
    r = httpx.post(console_site.url + "/api/admin/users", headers=console_site.headers(),
                   json=PAGER, timeout=10)
    assert r.status_code == 201, r.text
    pager = r.json()["user"]["id"]
    wanted = 2 * PAGE_SIZE + 7
    for n in range(wanted - len(_every_row(console_site))):
        if n % 40 == 0:  # not understood, still an audited question
            assert _ask(console_site, f"Paging check {n}: what is our churn rate?") == 200
        role = ("analyst", "viewer")[n % 2]
        r = httpx.patch(f"{console_site.url}/api/admin/users/{pager}/role", json={"role": role},
                        headers=console_site.headers(), timeout=10)
        assert r.status_code == 200, r.text
    wait_for(lambda: len(_every_row(console_site)) >= wanted, timeout=90,
             what="the changes in the audit trail")
    rows = _every_row(console_site)
    assert len({row["id"] for row in rows}) == len(rows)
    return rows


def _events_shown(table: Any) -> list[str]:
    return [text.strip() for text in table.locator("tbody tr td:nth-child(4)").all_inner_texts()]


def test_load_more_appends_the_next_page_and_moves_focus_to_it(
        console_page: Page, console_site: ConsoleSite, paged: list[dict[str, Any]]) -> None:
    page = console_page
    sign_in(page, console_site, "/admin/audit")
    expect(page.get_by_role("heading", name="Audit log", exact=True)).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Audit events, newest first"))
    rows = table.locator("tbody tr")
    shown = page.locator("#audit-shown")
    more = page.get_by_role("button", name="Load more", exact=True)
    expect(rows).to_have_count(PAGE_SIZE)
    expect(shown).to_have_text(f"Showing {PAGE_SIZE}.")
    expect(shown).to_have_attribute("role", "status")  # the new count is announced
    expected = [_event_of(row) for row in paged]
    assert _events_shown(table) == expected[:PAGE_SIZE]

    more.focus()  # by keyboard: the button focused, then Enter
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2 * PAGE_SIZE)
    expect(shown).to_have_text(f"Showing {2 * PAGE_SIZE}.")
    # The first page kept, the second appended after it, in the API's order, none twice.
    assert _events_shown(table) == expected[:2 * PAGE_SIZE]
    first_new = rows.nth(PAGE_SIZE).get_by_role("button")
    expect(first_new).to_be_focused()  # not lost to <body> while the button was disabled
    expect(more).to_be_visible()

    _tab_to(page, "Load more")  # from the first new row, on through the rows to the button
    page.keyboard.press("Enter")
    expect(rows).to_have_count(len(paged))
    expect(shown).to_have_text(f"Showing {len(paged)}.")
    assert _events_shown(table) == expected
    expect(more).to_have_count(0)  # the last page: nothing more to load
    expect(rows.nth(2 * PAGE_SIZE).get_by_role("button")).to_be_focused()  # not <body>
    assert page.evaluate("document.activeElement !== document.body")
    assert axe_violations(page) == []
