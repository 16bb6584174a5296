import { describe, expect, it } from "vitest";

import {
  fillDays,
  formatCount,
  formatDuration,
  formatRate,
  formatTimestamp,
  humanize,
  shortId,
  surfaceLabel,
  truncate,
  usagePercent,
} from "../src/format";
import { flattenMetrics, searchEntities, searchGlossary } from "../src/semantic-model";

describe("formatting", () => {
  it("writes counts, rates and durations", () => {
    expect(formatCount(12345, "en-US")).toBe("12,345");
    expect(formatCount(null)).toBe("—");
    expect(formatRate(0.1234)).toBe("12.3%");
    expect(formatRate(0)).toBe("0%");
    expect(formatDuration(850.4)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(null)).toBe("—");
  });

  it("writes timestamps in UTC and words from codes", () => {
    expect(formatTimestamp("2026-12-07T13:28:47.123+00:00")).toBe("2026-12-07 13:28:47 UTC");
    expect(formatTimestamp("not a date")).toBe("not a date");
    expect(humanize("not_understood")).toBe("Not understood");
    expect(humanize("key.revoked")).toBe("Key revoked");
    expect(truncate("abcdef", 4)).toBe("abc…");
  });

  it("bounds usage to 0..100 and has none without a limit", () => {
    expect(usagePercent(50, 200)).toBe(25);
    expect(usagePercent(500, 200)).toBe(100);
    expect(usagePercent(5, null)).toBeNull();
  });
});

describe("labels and days", () => {
  it("names surfaces and shortens ids", () => {
    expect(surfaceLabel("api")).toBe("API");
    expect(surfaceLabel("new_one")).toBe("New one");
    expect(surfaceLabel(null)).toBe("—");
    expect(shortId("9384deeac96840a0a73cef36eafc4d33")).toBe("9384deeac9…");
    expect(shortId("u-1")).toBe("u-1");
    expect(humanize("llm-tokens")).toBe("Llm tokens");
  });

  it("fills the window's missing days with zeros, oldest first", () => {
    const days = fillDays(
      [{ day: "2026-12-06", count: 3, errors: 1 }],
      new Date("2026-12-07T23:30:00Z"),
      3,
    );
    expect(days).toEqual([
      { day: "2026-12-05", count: 0, errors: 0 },
      { day: "2026-12-06", count: 3, errors: 1 },
      { day: "2026-12-07", count: 0, errors: 0 },
    ]);
    expect(fillDays([], new Date("2026-03-01T00:00:00Z"), 30)[0]?.day).toBe("2026-01-31");
  });
});

describe("semantic browser", () => {
  const entity = (name: string, table: string, description = "") => ({
    name,
    table,
    description,
    columnCount: 1,
    joinCount: 0,
    measureCount: 0,
    connection: null,
    type: null,
    source: "default",
  });

  it("searches entities by name, table and description", () => {
    const all = [entity("Orders", "orders", "Customer purchases"), entity("Users", "users")];
    expect(searchEntities(all, "purchase").map((e) => e.name)).toEqual(["Orders"]);
    expect(searchEntities(all, "USERS").map((e) => e.name)).toEqual(["Users"]);
    expect(searchEntities(all, " ")).toHaveLength(2);
  });

  it("searches the glossary and flattens metrics files", () => {
    const terms = [
      { term: "revenue", status: "ambiguous", note: "GMV or net", tables: ["orders"] },
      { term: "churn", status: "defined", definition: "cancelled plans" },
    ];
    expect(searchGlossary(terms, "orders").map((t) => t.term)).toEqual(["revenue"]);
    const metrics = flattenMetrics([
      { source: "default", data: { metrics: [{ id: "a", sql: "SELECT 1" }, { nope: true }] } },
      { source: "default", data: null },
    ]);
    expect(metrics).toEqual([{ id: "a", sql: "SELECT 1", source: "default" }]);
  });
});
