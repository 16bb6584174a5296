import { describe, expect, it } from "vitest";

import { ApiError } from "../api";
import {
  actionError,
  capitalised,
  createKeyBody,
  EXPIRY_OPTIONS,
  maskedKey,
  shortDate,
} from "./api-keys-logic";

describe("the API keys page's logic", () => {
  it("masks a key to its prefix and first characters", () => {
    expect(maskedKey({ prefix: "atlas_sk_", start: "0a1b2c" })).toBe("atlas_sk_0a1b2c…");
  });

  it("builds the create body with the expiry in seconds, none for never", () => {
    expect(createKeyBody("  Reporting SDK ", "viewer", "2592000")).toEqual({
      body: { name: "Reporting SDK", role: "viewer", expiresIn: 2_592_000 },
    });
    expect(createKeyBody("SDK", "analyst", "")).toEqual({ body: { name: "SDK", role: "analyst" } });
  });

  it("refuses a blank or long name and an unknown role", () => {
    expect(createKeyBody("   ", "analyst", "")).toEqual({ error: "Give the key a name." });
    expect(createKeyBody("x".repeat(101), "analyst", "")).toHaveProperty("error");
    expect(createKeyBody("SDK", "owner", "")).toEqual({ error: "Choose a role." });
  });

  it("offers expiries the keys service accepts (1 hour to 1 year)", () => {
    const seconds = EXPIRY_OPTIONS.filter((o) => o.value).map((o) => Number(o.value));
    expect(seconds.every((s) => s >= 3600 && s <= 31_536_000)).toBe(true);
    expect(EXPIRY_OPTIONS[0]).toEqual({ value: "", label: "Never" });
  });

  it("dates a cell without this year's number", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    expect(shortDate("2026-03-04T10:05:00Z", now, "en-GB")).not.toMatch(/2026/);
    expect(shortDate("2027-01-06T10:05:00Z", now, "en-GB")).toMatch(/2027/);
  });

  it("capitalises roles and statuses", () => {
    expect(capitalised("revoked")).toBe("Revoked");
  });
});

describe("an action's error", () => {
  it("says the API's message and code, a 403 included", () => {
    const plan = new ApiError(403, { error: "feature_not_in_plan", message: "Not in your plan" });
    expect(actionError(plan)).toBe("Not in your plan (feature_not_in_plan)");
    const offline = new ApiError(0, { error: "network_error", message: "Unreachable." });
    expect(actionError(offline)).toBe("Unreachable.");
    expect(actionError(new Error("boom"))).toBe("boom");
  });
});
