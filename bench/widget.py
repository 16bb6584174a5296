"""Widget benchmark in headless Chromium on loopback (``make bench``; ``BENCH_RUNS``, default 20).

A managed stack (one worker, no delay between tokens) and a host page on another origin with
the seed's script tag. For each run, a fresh page load, then the demo question:

- page load -> bubble visible (the loader's host element in the DOM, then one frame), beside
  the page's own DOMContentLoaded;
- ``Atlas.ask`` -> first visible answer text in the iframe, and -> the answer finished (the
  message no longer busy), beside the same question through a bare ``fetch`` + reader of
  ``POST /api/v1/chat`` in the same page (first ``text-delta`` bytes, end of stream).

Times are stamped in the pages themselves (``performance.timeOrigin + performance.now()`` on
both sides of the iframe, one clock). Goals (p95): bubble <= 300 ms, first text <= 200 ms,
finished <= 600 ms.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Frame, Page, sync_playwright
from tests.e2e.test_admin_page import CHROMIUM, CHROMIUM_ARGS
from tests.widget.conftest import WIDGET_DIST, build
from tests.widget.pages import DEMO_QUESTION, host_page
from tests.widget.site import Site, managed_site

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
GOALS = {"bubble": 300.0, "first": 200.0, "done": 600.0}

# In the host page, before the loader: when the widget's host element appears, wait a frame.
BUBBLE_PROBE = """<script>
new MutationObserver((changes, observer) => {
  if (!document.querySelector('[data-atlas-widget]')) return;
  observer.disconnect();
  requestAnimationFrame(() => { window.__bubble = performance.now(); });
}).observe(document.documentElement, {childList: true, subtree: true});
document.addEventListener('DOMContentLoaded', () => { window.__dcl = performance.now(); });
</script>"""

# In the iframe: stamp the first visible answer text and the end of the answer.
ANSWER_PROBE = """() => {
  const now = () => performance.timeOrigin + performance.now();
  const seen = window.__seen = {};
  const check = () => {
    const answer = document.querySelector('.atlas-msg-assistant');
    const text = answer?.querySelector('.atlas-markdown')?.textContent.trim();
    if (!seen.first && text) seen.first = now();
    if (seen.first && !answer.hasAttribute('aria-busy')) {
      seen.done = now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  const all = {childList: true, subtree: true, characterData: true, attributes: true};
  observer.observe(document.body, all);
}"""

BARE_FETCH = """async ([api, key, question]) => {
  const now = () => performance.timeOrigin + performance.now();
  const start = now();
  const response = await fetch(api + '/api/v1/chat', {method: 'POST',
    headers: {'content-type': 'application/json', authorization: 'Bearer ' + key},
    body: JSON.stringify({messages: [
      {id: 'u1', role: 'user', parts: [{type: 'text', text: question}]}]})});
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let first = 0, text = '';
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    text += decoder.decode(value, {stream: true});
    if (!first && text.includes('"text-delta"')) first = now();
  }
  return {first: first - start, done: now() - start};
}"""


ASK = "q => { const t = performance.timeOrigin + performance.now(); Atlas.ask(q); return t; }"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def widget_frame(page: Page, site: Site) -> Frame:
    return next(f for f in page.frames if f.url.startswith(site.url + "/widget"))


def answer_stamps(inner: Frame, timeout_s: float = 30) -> dict[str, float]:
    """Poll the iframe's stamps (taken in the page, so the polling does not shift them; the
    widget's CSP refuses the eval a `wait_for_function` would need)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        seen: dict[str, float] = inner.evaluate("() => window.__seen")
        if "done" in seen:
            return seen
        time.sleep(0.005)
    raise TimeoutError("the answer did not finish")


def one_run(page: Page, site: Site, url: str, key: str) -> dict[str, float]:
    page.goto(url)
    page.wait_for_function("window.__bubble !== undefined")
    figures = {"bubble": page.evaluate("window.__bubble"), "dcl": page.evaluate("window.__dcl")}
    page.evaluate("window.Atlas.open()")
    frame = page.frame_locator("iframe[title='Atlas chat']")
    frame.get_by_label("Ask a question about your data").wait_for()
    inner = widget_frame(page, site)
    inner.evaluate(ANSWER_PROBE)
    start = page.evaluate(ASK, DEMO_QUESTION)
    seen = answer_stamps(inner)
    figures["first"], figures["done"] = seen["first"] - start, seen["done"] - start
    bare = page.evaluate(BARE_FETCH, [site.url, key, DEMO_QUESTION])
    figures["bare_first"], figures["bare_done"] = bare["first"], bare["done"]
    return figures


def report(runs: list[dict[str, float]]) -> None:
    rows = [
        ("page load -> DOMContentLoaded (the host page alone)", "dcl", None),
        ("page load -> bubble visible", "bubble", "bubble"),
        ("bare fetch: request -> first text-delta", "bare_first", None),
        ("widget: Atlas.ask -> first visible text", "first", "first"),
        ("bare fetch: request -> end of stream", "bare_done", None),
        ("widget: Atlas.ask -> answer finished", "done", "done"),
    ]
    print(f"chromium headless, loopback, N={len(runs)} runs, {DEMO_QUESTION!r}")
    for label, name, goal in rows:
        values = [r[name] for r in runs]
        line = f"{label:<55} p50={pct(values, 50):8.1f} ms  p95={pct(values, 95):8.1f} ms"
        if goal:
            met = "met" if pct(values, 95) <= GOALS[goal] else "NOT met"
            line += f"  (goal p95 <= {GOALS[goal]:.0f} ms: {met})"
        print(line)


def main() -> None:
    build("clients/widget", WIDGET_DIST / "widget.js")
    with tempfile.TemporaryDirectory() as tmp, managed_site(Path(tmp)) as site:
        key = site.create_key("bench")["key"]
        url = host_page(site, "/bench.html", key, before=BUBBLE_PROBE)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            one_run(page, site, url, key)  # warm-up: caches, the worker's first query
            runs: list[dict[str, Any]] = [one_run(page, site, url, key) for _ in range(RUNS)]
            browser.close()
    report(runs)


if __name__ == "__main__":
    main()
