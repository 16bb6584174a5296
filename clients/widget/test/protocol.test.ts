import { describe, expect, it } from "vitest";

import { parseFrameMessage, parseHostMessage } from "../src/protocol";

describe("host -> iframe messages", () => {
  it("accepts the known shapes", () => {
    expect(parseHostMessage({ type: "atlas:ask", query: "How many?" })).toEqual({
      type: "atlas:ask",
      query: "How many?",
    });
    expect(parseHostMessage({ type: "theme", value: "dark" })).toEqual({
      type: "theme",
      value: "dark",
    });
    expect(parseHostMessage({ type: "atlas:init", token: "k", theme: "system" })).toEqual({
      type: "atlas:init",
      token: "k",
      theme: "system",
    });
  });

  it("refuses anything else", () => {
    for (const bad of [
      null,
      "atlas:ask",
      { type: "atlas:ask" },
      { type: "atlas:ask", query: 5 },
      { type: "atlas:ask", query: "x".repeat(4001) },
      { type: "theme", value: "pink" },
      { type: "auth", token: "" },
      { type: "atlas:init", token: 3 },
      { type: "eval", code: "1" },
    ]) {
      expect(parseHostMessage(bad)).toBeNull();
    }
  });
});

describe("iframe -> host messages", () => {
  it("keeps only known types and bounded strings", () => {
    expect(parseFrameMessage({ type: "atlas:ready", extra: 1 })).toEqual({ type: "atlas:ready" });
    expect(
      parseFrameMessage({ type: "atlas:error", code: "auth_error", message: "m".repeat(5000) })
        ?.type,
    ).toBe("atlas:error");
    expect(parseFrameMessage({ type: "atlas:error", code: 1, message: "m" })).toBeNull();
    expect(parseFrameMessage({ type: "open" })).toBeNull();
  });
});
