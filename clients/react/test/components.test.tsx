import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { Composer } from "../src/components/composer";
import { DataTable } from "../src/components/data-table";
import { ErrorBanner } from "../src/components/error-banner";
import { Markdown } from "../src/components/markdown";
import { Message } from "../src/components/message";
import { SQLResultCard } from "../src/components/sql-result-card";
import { parseChatError } from "../src/lib/errors";
import { toCsv } from "../src/lib/format";
import { messageOf } from "./streams";

describe("SQLResultCard", () => {
  it("keeps the SQL collapsed and shows the rows", () => {
    const html = renderToStaticMarkup(
      <SQLResultCard sql="SELECT 1 AS n" columns={["n"]} rows={[{ n: 1234.5 }]} />,
    );
    expect(html).toContain('aria-expanded="false"');
    expect(html).toMatch(/<pre[^>]*hidden=""/);
    expect(html).toContain("Copy SQL");
    expect(html).toContain("1 row");
    expect(html).toContain(
      new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(1234.5),
    );
  });

  it("renders a recorded answer's card and chart for a time series", async () => {
    const html = renderToStaticMarkup(<Message message={await messageOf("timeseries")} latest />);
    expect(html).toContain('data-chart-kind="line"');
    expect(html).toContain("Show SQL");
    expect(html).toContain("Download CSV");
  });

  it("renders a recorded clarification as buttons", async () => {
    const html = renderToStaticMarkup(<Message message={await messageOf("vague")} latest />);
    expect(html).toMatch(/<button[^>]*>GMV<\/button>/);
    expect(html).toMatch(/<button[^>]*>Net revenue<\/button>/);
  });
});

describe("Suggestions and the composer", () => {
  it("renders a recorded can't-answer's suggestions as chips", async () => {
    const html = renderToStaticMarkup(<Message message={await messageOf("cannot")} latest />);
    expect(html).toContain('aria-label="Follow-up questions"');
    expect(html).toMatch(
      /<button[^>]*class="atlas-chip"[^>]*>How many users signed up last week\?<\/button>/,
    );
    const older = renderToStaticMarkup(<Message message={await messageOf("cannot")} />);
    expect(older).not.toContain("Follow-up questions");
  });

  it("offers Stop while an answer streams, Send otherwise", () => {
    const noop = () => undefined;
    const busy = renderToStaticMarkup(<Composer busy onSubmit={noop} onStop={noop} />);
    expect(busy).toMatch(/<button[^>]*>Stop<\/button>/);
    expect(busy).not.toContain(">Send<");
    const idle = renderToStaticMarkup(<Composer busy={false} onSubmit={noop} onStop={noop} />);
    expect(idle).toMatch(/<button type="submit"[^>]*>Send<\/button>/);
  });
});

describe("DataTable", () => {
  it("formats dates, says when rows were cut and offers all rows", () => {
    const rows = Array.from({ length: 60 }, (_, n) => ({ day: "2026-11-07", n }));
    const html = renderToStaticMarkup(<DataTable columns={["day", "n"]} rows={rows} truncated />);
    expect(html).toContain("Rows were cut");
    expect(html).toContain("Show all 60");
    expect(html).not.toContain(">2026-11-07<");
    expect((html.match(/<tr>/g) ?? []).length).toBe(51); // header + the first 50
    expect(html).toContain('aria-sort="none"');
  });

  it("exports CSV with quoting", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          { a: 'say "hi"', b: "x,y" },
          { a: null, b: 2 },
        ],
      ),
    ).toBe('a,b\r\n"say ""hi""","x,y"\r\n,2\r\n');
  });
});

describe("ErrorBanner and parseChatError", () => {
  it("says a rate limit's wait and offers a retry", () => {
    const error = parseChatError(
      new Error(
        JSON.stringify({
          error: "rate_limited",
          message: "Rate limit exceeded",
          requestId: "r",
          retryAfterSeconds: 42,
        }),
      ),
    );
    expect(error).toMatchObject({ code: "rate_limited", retryAfterSeconds: 42, retryable: true });
    const html = renderToStaticMarkup(<ErrorBanner error={error} onRetry={() => undefined} />);
    expect(html).toContain("Too many requests");
    expect(html).toContain("try again in 42 s");
    expect(html).toContain('role="alert"');
  });

  it("does not offer a retry for a rejected key", () => {
    const error = parseChatError(new Error('{"error":"auth_error","message":"Invalid API key"}'));
    const html = renderToStaticMarkup(<ErrorBanner error={error} onRetry={() => undefined} />);
    expect(html).toContain("not accepted");
    expect(html).not.toContain("Retry");
  });
});

describe("Markdown", () => {
  it("renders emphasis, lists and code but never raw HTML or unsafe links", () => {
    const html = renderToStaticMarkup(
      <Markdown
        text={
          "**188** signups\n\n- one\n- two\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))"
        }
      />,
    );
    expect(html).toContain("<strong>188</strong>");
    expect(html).toContain("<ul><li>one</li><li>two</li></ul>");
    expect(html).toContain("&lt;img");
    expect(html).not.toContain("javascript:");
  });
});
