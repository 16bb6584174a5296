"""The widget's files over HTTP (sizes, caching, framing policy), what the panel says when a
rate limit applies or no worker answers, and an axe-core scan of the open widget."""

from __future__ import annotations

import gzip
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Frame, Page, expect

from tests.support.isolation import create_vhost, delete_vhost
from tests.support.stack import wait_for, wait_for_workers
from tests.widget.conftest import ROOT, WIDGET_DIST, build
from tests.widget.pages import DEMO_QUESTION, host_page, panel
from tests.widget.site import Site

pytestmark = pytest.mark.timeout(300)

LOADER_BUDGET = 10 * 1024
APP_BUDGET = 250 * 1024
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def app_files(html: Path) -> list[Path]:
    """The scripts and styles the iframe page loads (its entry, preloads and stylesheets)."""
    names = re.findall(r'(?:src|href)="/widget/(assets/[^"]+)"', html.read_text())
    return [WIDGET_DIST / name for name in names]


def test_the_loader_and_the_iframe_app_fit_their_budgets() -> None:
    build("clients/widget", WIDGET_DIST / "widget.js")
    assert gzipped(WIDGET_DIST / "widget.js") <= LOADER_BUDGET
    files = app_files(WIDGET_DIST / "widget.html")
    assert any(f.suffix == ".js" for f in files) and all(f.is_file() for f in files)
    assert sum(gzipped(f) for f in files) <= APP_BUDGET


def test_loader_revalidates_assets_are_immutable_and_framing_follows_cors(site: Site) -> None:
    loader = httpx.get(site.url + "/widget.js", timeout=10)
    assert loader.status_code == 200 and loader.headers["cache-control"] == "no-cache"
    again = httpx.get(site.url + "/widget.js", headers={"if-none-match": loader.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    frame = httpx.get(site.url + "/widget", timeout=10)
    policy = frame.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {site.host.origin}" in policy
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    asset = re.search(r'src="(/widget/assets/[^"]+\.js)"', frame.text)
    assert asset is not None
    cached = httpx.get(site.url + asset.group(1), timeout=10)
    assert cached.headers["cache-control"] == "public, max-age=31536000, immutable"
    missing = httpx.get(site.url + "/widget/assets/..%2F..%2Fpyproject.toml", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    page = httpx.get(site.url + "/", timeout=10)
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


@pytest.fixture(scope="module")
def limited(site: Site) -> Iterator[str]:
    """A second gateway of the same stack allowing one request per minute."""
    url = site.stack.start_gateway(
        "gateway-limited",
        {"ATLAS_RATE_LIMIT_RPM": "1", "ATLAS_CORS_ORIGIN": site.host.origin},
    )
    yield url
    site.stack.stop(next(p for p in site.stack.procs if p.name == "gateway-limited"))


def test_a_rate_limit_shows_the_wait(page: Page, site: Site, limited: str) -> None:
    key = site.create_key("limited")["key"]
    # The limit counts per minute: start early in one, so the two requests share it.
    wait_for(lambda: time.time() % 60 < 45, timeout=20, what="an early second of the minute")
    used = httpx.get(limited + "/api/v1/tables", headers={"authorization": f"Bearer {key}"})
    assert used.status_code == 200
    page.goto(host_page(site, "/limited.html", key, api_url=limited))
    page.evaluate("question => window.Atlas.ask(question)", DEMO_QUESTION)
    alert = panel(page).get_by_role("alert")
    expect(alert).to_contain_text("Too many requests", timeout=10_000)
    expect(alert).to_contain_text(re.compile(r"You can try again in \d+ s\."))
    expect(alert.get_by_role("button", name="Retry")).to_be_disabled()


@pytest.fixture(scope="module")
def workerless(site: Site) -> Iterator[str]:
    """A gateway of the same stack on a vhost of its own, where no worker consumes."""
    name = f"atlas_test_{uuid.uuid4().hex[:10]}_noworker"
    rabbitmq_url = create_vhost(name)
    try:
        url = site.stack.start_gateway(
            "gateway-workerless",
            {"ATLAS_RABBITMQ_URL": rabbitmq_url, "ATLAS_CORS_ORIGIN": site.host.origin},
        )
        yield url
        site.stack.stop(next(p for p in site.stack.procs if p.name == "gateway-workerless"))
    finally:
        delete_vhost(name)


def test_no_worker_shows_that_atlas_is_unavailable(page: Page, site: Site, workerless: str) -> None:
    key = site.create_key("workerless")["key"]
    page.goto(host_page(site, "/workerless.html", key, api_url=workerless))
    page.evaluate("question => window.Atlas.ask(question)", DEMO_QUESTION)
    alert = panel(page).get_by_role("alert")
    expect(alert).to_contain_text("Atlas is unavailable right now", timeout=10_000)
    expect(alert.get_by_role("button", name="Retry")).to_be_visible()
    expect(panel(page).get_by_role("status")).to_have_count(0)  # no endless spinner


@pytest.fixture(scope="module")
def slow(site: Site) -> Iterator[str]:
    """A gateway and a worker streaming one token per 150 ms, on a vhost of their own."""
    name = f"atlas_test_{uuid.uuid4().hex[:10]}_slow"
    env = {"ATLAS_RABBITMQ_URL": create_vhost(name)}
    try:
        worker = site.stack.start(
            "atlas-query-worker", "worker-slow", {**env, "ATLAS_WORKER_TOKEN_DELAY_MS": "150"}
        )
        url = site.stack.start_gateway(
            "gateway-slow", {**env, "ATLAS_CORS_ORIGIN": site.host.origin}
        )
        wait_for_workers(url, 1)
        yield url
        site.stack.stop(next(p for p in site.stack.procs if p.name == "gateway-slow"))
        site.stack.stop(worker)
    finally:
        delete_vhost(name)


def test_stop_ends_an_answer_while_it_streams(page: Page, site: Site, slow: str) -> None:
    page.goto(host_page(site, "/slow.html", site.create_key("slow")["key"], api_url=slow))
    page.evaluate("question => window.Atlas.ask(question)", DEMO_QUESTION)
    chat = panel(page)
    answer = chat.locator(".atlas-msg-assistant")
    expect(answer.locator(".atlas-markdown")).to_be_visible(timeout=15_000)  # mid-answer
    with page.expect_response(lambda r: r.url.endswith("/stop")) as stopped:
        chat.get_by_role("button", name="Stop").click()
    assert stopped.value.status == 200
    expect(chat.get_by_role("button", name="Send")).to_be_visible()
    expect(answer).not_to_contain_text("2026).")  # cut before the narrative ended


def axe_violations(target: Page | Frame) -> list[dict[str, object]]:
    """Serious and critical violations of an axe-core run (which must have checked rules)."""
    target.evaluate(AXE.read_text())
    result = target.evaluate(
        "async () => { const r = await axe.run(document); return {passes: r.passes.length,"
        " violations: r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target)}))}; }"
    )
    assert result["passes"] > 10
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_violation_in_the_open_widget(page: Page, site: Site) -> None:
    page.goto(host_page(site, "/axe.html", site.create_key("axe")["key"]))
    page.evaluate("question => window.Atlas.ask(question)", DEMO_QUESTION)
    expect(panel(page).locator(".atlas-msg-assistant")).to_contain_text("signups", timeout=15_000)
    frame = next(f for f in page.frames if f.url.startswith(site.url + "/widget"))
    assert axe_violations(frame) == []
    assert axe_violations(page) == []
