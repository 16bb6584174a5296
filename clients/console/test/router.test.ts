import { describe, expect, it } from "vitest";

import { envelopeOf, queryString } from "../src/api";
import { hrefOf, slugOf } from "../src/router";

describe("routing", () => {
  it("maps /admin paths to page slugs", () => {
    expect(slugOf("/admin")).toBe("");
    expect(slugOf("/admin/")).toBe("");
    expect(slugOf("/admin/audit")).toBe("audit");
    expect(slugOf("/admin/api-keys/")).toBe("api-keys");
    expect(slugOf("/admin/nope")).toBeNull();
    expect(slugOf("/elsewhere")).toBeNull();
  });

  it("builds hrefs back", () => {
    expect(hrefOf("")).toBe("/admin");
    expect(hrefOf("audit", "?outcome=error")).toBe("/admin/audit?outcome=error");
  });
});

describe("api helpers", () => {
  it("leaves empty values out of a query string", () => {
    expect(queryString({ a: "x y", b: "", c: undefined, d: 0 })).toBe("?a=x+y&d=0");
    expect(queryString({})).toBe("");
  });

  it("reads the Atlas error envelope, or makes one", () => {
    expect(envelopeOf(403, { error: "forbidden", message: "no" })).toEqual({
      error: "forbidden",
      message: "no",
      details: undefined,
    });
    expect(envelopeOf(502, "<html>")).toEqual({ error: "internal_error", message: "HTTP 502" });
  });
});
