import { describe, expect, it } from "vitest";

import type { UserOut } from "./users-logic";
import {
  initialPassword,
  inviteErrors,
  PASSWORD_LENGTH,
  sortedUsers,
  statusLabel,
} from "./users-logic";

function user(email: string, active: boolean): UserOut {
  const base = { name: "N", role: "viewer", workspaceId: "w", createdAt: "2026-01-01T00:00:00Z" };
  return { ...base, id: email, email, active } as UserOut;
}

describe("the users page's logic", () => {
  it("makes an initial password long enough for the auth API, without look-alike characters", () => {
    const password = initialPassword();
    expect(password).toHaveLength(PASSWORD_LENGTH);
    expect(PASSWORD_LENGTH).toBeGreaterThanOrEqual(8); // the auth service's minimum
    expect(password).not.toMatch(/[0O1lI]/);
    expect(initialPassword()).not.toBe(password);
  });

  it("draws again on bytes that would favour some characters", () => {
    let call = 0;
    // First draw: only bytes above the last whole multiple of the alphabet's size (skipped).
    const random = (n: number) => new Uint8Array(n).fill(call++ === 0 ? 255 : 0);
    expect(initialPassword(random)).toBe("a".repeat(PASSWORD_LENGTH));
  });

  it("checks the invite form field by field", () => {
    expect(inviteErrors("ada@example.com", "Ada", "admin")).toEqual({});
    expect(inviteErrors("ada", " ", "owner")).toEqual({
      email: expect.any(String),
      name: expect.any(String),
      role: expect.any(String),
    });
    expect(inviteErrors("ada@example.com", "x".repeat(101), "viewer")).toHaveProperty("name");
  });

  it("labels the status and lists active users first, then by email", () => {
    expect(statusLabel({ active: false })).toBe("Deactivated");
    const order = sortedUsers([user("b@x.io", false), user("c@x.io", true), user("a@x.io", true)]);
    expect(order.map((u) => u.email)).toEqual(["a@x.io", "c@x.io", "b@x.io"]);
  });
});
