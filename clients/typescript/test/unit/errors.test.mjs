// AtlasError from the gateway's envelope, and what counts as retryable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AtlasError, errorFromEnvelope, errorFromText } from "../../dist/index.js";

test("an envelope becomes an AtlasError with its code, request id and Retry-After", () => {
  const body = {
    error: "rate_limited",
    message: "slow down",
    requestId: "r1",
    retryAfterSeconds: 7,
  };
  const error = errorFromEnvelope(body, 429, "9");
  assert.ok(error instanceof AtlasError && error instanceof Error);
  assert.equal(error.name, "AtlasError");
  assert.deepEqual(
    [error.code, error.status, error.message, error.requestId, error.retryAfterSeconds],
    ["rate_limited", 429, "slow down", "r1", 7],
  );
  assert.equal(error.retryable, true);
});

test("Retry-After header when the body has no retryAfterSeconds", () => {
  const error = errorFromEnvelope({ error: "unavailable", message: "no worker" }, 503, "3");
  assert.equal(error.retryAfterSeconds, 3);
});

test("not an envelope: null", () => {
  assert.equal(errorFromEnvelope({ detail: "x" }, 400), null);
  assert.equal(errorFromEnvelope("text", 400), null);
});

test("a stream error frame's errorText; plain text kept as the message", () => {
  const error = errorFromText('{"error":"provider_error","message":"boom","requestId":"r2"}');
  assert.deepEqual(
    [error.code, error.message, error.requestId, error.retryable],
    ["provider_error", "boom", "r2", false],
  );
  const plain = errorFromText("something broke");
  assert.deepEqual([plain.code, plain.message], ["internal_error", "something broke"]);
});
