import { describe, expect, it } from "vitest";

import { ApiError } from "../src/api";
import { envelopeText, errorText } from "../src/ui";

describe("errorText", () => {
  it("says who may see the page on a role refusal", () => {
    const error = new ApiError(403, { error: "forbidden_role", message: "Needs admin" });
    expect(errorText(error)).toBe("Only workspace admins can see this page.");
  });

  it("keeps a plan's refusal in the API's words", () => {
    const error = new ApiError(403, { error: "feature_not_in_plan", message: "Not in your plan" });
    expect(errorText(error)).toBe("Not in your plan (feature_not_in_plan)");
  });

  it("reads the message out of an envelope thrown as text", () => {
    const body = '{"error":"auth_error","message":"Invalid email or password","requestId":"r"}';
    expect(errorText(new Error(body))).toBe("Invalid email or password");
    expect(envelopeText("{not json")).toBe("{not json");
    expect(envelopeText("plain words")).toBe("plain words");
  });
});
