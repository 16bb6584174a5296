import { describe, expect, it } from "vitest";

import { chooseChart } from "../src/lib/chart-choice";
import { sqlResult, toolPartView } from "../src/lib/parts";
import { messageOf } from "./streams";

async function resultOf(name: string) {
  const message = await messageOf(name);
  const tool = message.parts.map(toolPartView).find((v) => v?.toolName === "executeSQL");
  const data = sqlResult(tool?.result);
  if (!data) throw new Error("no result");
  return data;
}

describe("chooseChart", () => {
  it("draws a time series as a line", async () => {
    const { columns, rows } = await resultOf("timeseries");
    expect(chooseChart(columns, rows)).toEqual({ kind: "line", x: "day", y: ["signups"] });
  });

  it("draws categories with a measure as bars", async () => {
    const { columns, rows } = await resultOf("bycountry");
    expect(chooseChart(columns, rows)).toEqual({ kind: "bar", x: "country", y: ["user_count"] });
  });

  it("draws nothing for a single number", async () => {
    const { columns, rows } = await resultOf("signups");
    expect(chooseChart(columns, rows)).toBeNull();
  });

  it("draws nothing where a chart would mislead", () => {
    const many = Array.from({ length: 40 }, (_, n) => ({ name: `c${n}`, v: n }));
    expect(chooseChart(["name", "v"], many)).toBeNull(); // too many bars
    const repeated = [
      { k: "a", v: 1 },
      { k: "a", v: 2 },
    ];
    expect(chooseChart(["k", "v"], repeated)).toBeNull(); // categories repeat
    expect(
      chooseChart(
        ["k", "t"],
        [
          { k: "a", t: "x" },
          { k: "b", t: "y" },
        ],
      ),
    ).toBeNull(); // no measure
    const points = [
      { d: "2026-01-01", v: 1 },
      { d: "2026-01-02", v: 2 },
    ];
    expect(chooseChart(["d", "v"], points)).toBeNull(); // two points are not a trend
  });

  it("follows a server hint of table or number", async () => {
    const { columns, rows } = await resultOf("bycountry");
    expect(chooseChart(columns, rows, { chart: "table" })).toBeNull();
  });
});
