import { describe, expect, it } from "vitest";

import type { PlanFeature } from "./plans-logic";
import { featureLabel, meterOf, orderedFeatures, resetsIn } from "./plans-logic";

function metered(used: number | null, limit: number | null): PlanFeature {
  return { key: "queries", kind: "metered", enabled: true, used, limit, resetsAt: null };
}

describe("the plans page's logic", () => {
  it("reads a metered feature as used of limit, with a share and a level", () => {
    expect(meterOf(metered(1, 3), "en")).toMatchObject({
      share: 1 / 3,
      level: "ok",
      text: "1 of 3 used",
    });
    expect(meterOf(metered(4, 5), "en").level).toBe("high");
    expect(meterOf(metered(7, 5), "en")).toMatchObject({ share: 1, level: "full" });
    expect(meterOf(metered(0, 0), "en")).toMatchObject({ share: 1, level: "full" });
  });

  it("reads a computed limit's count (active API keys) as used of limit too", () => {
    const keys: PlanFeature = { ...metered(2, 5), key: "api-keys" };
    expect(meterOf(keys, "en")).toMatchObject({
      used: 2,
      limit: 5,
      share: 0.4,
      text: "2 of 5 used",
    });
  });

  it("has no bar without a limit", () => {
    expect(meterOf(metered(1200, null), "en")).toMatchObject({
      limit: null,
      text: "1,200 used, no limit",
    });
    expect(meterOf(metered(null, 10), "en")).toMatchObject({
      limit: null,
      share: 0,
      text: "Up to 10, count unavailable",
    });
    expect(meterOf(metered(null, null), "en").text).toBe("No limit");
  });

  it("says when a count resets, in the largest whole unit", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    expect(resetsIn("2027-01-01T00:00:00Z", now)).toBe("resets in 24 days");
    expect(resetsIn("2026-12-07T13:00:00Z", now)).toBe("resets in 1 hour");
    expect(resetsIn("2026-12-07T12:05:30Z", now)).toBe("resets in 5 minutes");
    expect(resetsIn("2026-12-07T11:00:00Z", now)).toBe("resets in less than a minute");
  });

  it("labels keys and orders switches before meters", () => {
    expect(featureLabel("llm-tokens")).toBe("LLM tokens");
    expect(featureLabel("api-keys")).toBe("API keys");
    expect(featureLabel("data_explorer")).toBe("Data explorer");
    const b: PlanFeature = { ...metered(null, null), key: "query", kind: "boolean" };
    const m = metered(1, 3);
    expect(orderedFeatures([m, b]).map((f) => f.key)).toEqual(["query", "queries"]);
  });
});
