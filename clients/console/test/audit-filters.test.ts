import type { AuditLogEntry } from "@useatlas/sdk";
import { describe, expect, it } from "vitest";

import {
  apiFilters,
  EMPTY_FILTERS,
  exportHref,
  filtersFromSearch,
  hasFilters,
  mergePage,
  searchOfFilters,
} from "../src/audit-filters";

describe("audit filters <-> URL", () => {
  it("round-trips every filter through the query string", () => {
    const state = {
      user: "u-1",
      surface: "api",
      outcome: "error",
      from: "2026-12-01",
      to: "2026-12-07",
      q: "revenue by month",
    };
    const search = searchOfFilters(state);
    expect(search).toBe(
      "?user=u-1&surface=api&outcome=error&from=2026-12-01&to=2026-12-07&q=revenue+by+month",
    );
    expect(filtersFromSearch(search)).toEqual(state);
  });

  it("drops unknown keys, unknown choices and malformed dates", () => {
    expect(filtersFromSearch("?outcome=exploded&surface=fax&from=yesterday&x=1&q=%20a%20")).toEqual(
      { ...EMPTY_FILTERS, q: "a" },
    );
  });

  it("gives an empty query and no API filter when nothing is set", () => {
    expect(searchOfFilters(EMPTY_FILTERS)).toBe("");
    expect(hasFilters(EMPTY_FILTERS)).toBe(false);
    expect(Object.values(apiFilters(EMPTY_FILTERS)).every((v) => v === undefined)).toBe(true);
  });

  it("exports with the same filters", () => {
    const state = { ...EMPTY_FILTERS, outcome: "error" };
    expect(exportHref(state)).toBe("/api/v1/admin/audit/export?outcome=error");
    expect(apiFilters(state).outcome).toBe("error");
    expect(hasFilters(state)).toBe(true);
  });
});

describe("Load more", () => {
  const row = (id: string) => ({ id }) as AuditLogEntry;

  it("appends a page by cursor without repeating a row, and a first page replaces", () => {
    const shown = [row("a"), row("b")];
    expect(mergePage(shown, [row("b"), row("c")], "cur").map((r) => r.id)).toEqual(["a", "b", "c"]);
    expect(mergePage(shown, [row("z")], undefined).map((r) => r.id)).toEqual(["z"]);
  });
});
