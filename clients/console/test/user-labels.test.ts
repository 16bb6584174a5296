import { describe, expect, it } from "vitest";

import { labelsOf, userLabelOf } from "../src/user-labels";

describe("userLabelOf", () => {
  const labels = labelsOf([{ id: "u-1", email: "ada@example.com" }]);

  it("names a listed user by email", () => {
    expect(userLabelOf(labels, { userId: "u-1", userLabel: null })).toBe("ada@example.com");
  });

  it("keeps the row's own label first", () => {
    expect(userLabelOf(labels, { userId: "u-1", userLabel: "Ada" })).toBe("Ada");
  });

  it("gives null for an unknown or missing user, so the caller shows the id", () => {
    expect(userLabelOf(labels, { userId: "u-2", userLabel: null })).toBeNull();
    expect(userLabelOf(labels, { userId: null, userLabel: null })).toBeNull();
  });
});
