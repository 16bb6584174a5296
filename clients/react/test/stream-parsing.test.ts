import { describe, expect, it } from "vitest";

import { clarificationOf, sqlResult, textOf, toolPartView } from "../src/lib/parts";
import { messageOf } from "./streams";

describe("recorded chat streams", () => {
  it("gives the SQL, its rows and the narrative of the demo question", async () => {
    const message = await messageOf("signups");
    const tools = message.parts.map(toolPartView).filter((v) => v !== null);
    expect(tools).toHaveLength(1);
    expect(tools[0]?.toolName).toBe("executeSQL");
    expect(tools[0]?.isLoading).toBe(false);
    expect(String(tools[0]?.args.sql)).toMatch(/^SELECT COUNT\(\*\) AS signups FROM users/);
    expect(sqlResult(tools[0]?.result)).toEqual({
      columns: ["signups"],
      rows: [{ signups: 188 }],
      truncated: false,
    });
    expect(textOf(message)).toMatch(/^188 signups last week/);
  });

  it("reads a clarification's options", async () => {
    const message = await messageOf("vague");
    expect(clarificationOf(message)).toMatchObject({
      term: "revenue",
      options: ["GMV", "Net revenue"],
    });
    expect(message.parts.some((p) => p.type.startsWith("tool-"))).toBe(false);
  });

  it("accepts positional rows and reports an error result", () => {
    expect(sqlResult({ columns: ["a", "b"], rows: [[1, "x"]] })?.rows).toEqual([{ a: 1, b: "x" }]);
    expect(sqlResult({ error: "boom" })?.error).toBe("boom");
    expect(sqlResult("nonsense")).toBeNull();
  });
});
