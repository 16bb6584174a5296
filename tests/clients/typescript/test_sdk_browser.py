"""The built SDK (clients/typescript/dist/index.js) in real headless Chromium (Debian's, as
tests/e2e/test_admin_page.py drives it): imported as an ES module from the gateway's origin, it
lists tables, streams an answer with the browser's fetch and web streams, and fails with an
AtlasError."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, sync_playwright

from tests.clients.typescript.conftest import SDK, NodeEnv
from tests.e2e.test_admin_page import CHROMIUM_ARGS, chromium  # noqa: F401 - the fixture

pytestmark = pytest.mark.timeout(900)  # a first run may install Chromium

SCRIPT = """async ([key, question]) => {
  const { createAtlasClient, AtlasError, default: Atlas } = await import("/__sdk/index.js");
  const atlas = createAtlasClient({ baseUrl: location.origin, apiKey: key });
  const { tables } = await new Atlas({ baseUrl: location.origin, apiKey: key }).listTables();
  const events = [];
  for await (const event of atlas.streamQuery(question)) events.push(event);
  const error = await atlas.query("").catch((e) => e);
  return {
    tables: tables.length,
    types: [...new Set(events.map((e) => e.type))],
    text: events.filter((e) => e.type === "text").map((e) => e.content).join(""),
    finish: events.at(-1).reason,
    atlasError: error instanceof AtlasError,
    code: error.code,
  };
}"""


@pytest.fixture(scope="module")
def browser(chromium: Path, node_stack: NodeEnv) -> Iterator[Browser]:  # noqa: F811
    # After the stack, so the stack stops after the browser (see test_admin_page.py).
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def test_sdk_runs_in_chromium(browser: Browser, node_stack: NodeEnv) -> None:
    url, key = node_stack.env["ATLAS_URL"], node_stack.env["ATLAS_API_KEY"]
    bundle = (SDK / "dist" / "index.js").read_text()

    def serve(route: Route) -> None:
        route.fulfill(body=bundle, content_type="text/javascript")

    page = browser.new_page()
    page.route(url + "/__sdk/index.js", serve)
    page.goto(url + "/healthz")
    result = page.evaluate(SCRIPT, [key, "How many users signed up last week?"])
    page.close()
    assert result["tables"] >= 1
    assert {"tool-call", "result", "text", "finish"} <= set(result["types"])
    assert result["finish"] == "stop" and any(ch.isdigit() for ch in result["text"])
    assert (result["atlasError"], result["code"]) == (True, "validation_error")
